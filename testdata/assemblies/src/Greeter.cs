using System.Reflection;
[assembly: AssemblyVersion("1.2.3.0")]
[assembly: AssemblyFileVersion("1.2.3.0")]
namespace Acme {
  public static class Greeter {
    public static string Greet(string who) { return "Hello, " + who + "!"; }
  }
}
