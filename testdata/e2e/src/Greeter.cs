// Acme.Greeter: a runtime assembly with a German satellite (Greeter.de.cs). VERSION is
// substituted by the e2e harness (1.2.2, 1.2.3, 1.2.4).
using System.Reflection;
[assembly: AssemblyVersion("VERSION.0")]
[assembly: AssemblyFileVersion("VERSION.0")]
namespace Acme {
  public static class Greeter {
    public static string Greet(string who) { return "Hello, " + who + "! [Acme.Greeter VERSION]"; }
  }
}
