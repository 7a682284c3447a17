using System.Reflection;
[assembly: AssemblyVersion("1.2.3.0")]
[assembly: AssemblyCulture("de")]
