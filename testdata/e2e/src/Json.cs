// Acme.Json: a second runtime assembly, listed in the second manifest only.
using System.Reflection;
[assembly: AssemblyVersion("VERSION.0")]
namespace Acme {
  public static class Json {
    public static string Quote(string s) { return "\"" + s + "\""; }
  }
}
