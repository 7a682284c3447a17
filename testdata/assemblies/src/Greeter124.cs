using System.Reflection;
[assembly: AssemblyVersion("1.2.4.0")]
namespace Acme {
  public static class Greeter {
    public static string Greet(string who) { return "Hallo, " + who + "!"; }
  }
}
