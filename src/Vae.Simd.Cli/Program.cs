return Vae.Simd.Cli.CommandRunner.Run(args, Console.Out, Console.Error);
