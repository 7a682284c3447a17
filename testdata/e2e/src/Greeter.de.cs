// The satellite (resource) assembly of Acme.Greeter for culture `de`.
using System.Reflection;
[assembly: AssemblyVersion("VERSION.0")]
[assembly: AssemblyCulture("de")]
