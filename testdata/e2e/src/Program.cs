// The e2e app: uses every package and prints where the host and runtime found each file, so a
// test can tell the app folder from the store.
using System;
using System.Globalization;
using System.IO;
using System.Reflection;
[assembly: AssemblyVersion("1.0.0.0")]
public static class Program {
  public static int Main(string[] args) {
    Console.WriteLine(Acme.Greeter.Greet("e2e") + " " + Acme.Json.Quote("ok") + " " + Acme.Native.Answer());
    Console.WriteLine("Acme.Greeter: " + typeof(Acme.Greeter).Assembly.Location);
    Console.WriteLine("Acme.Json: " + typeof(Acme.Json).Assembly.Location);
    Console.WriteLine("Acme.Native: " + typeof(Acme.Native).Assembly.Location);
    foreach (string line in File.ReadAllLines("/proc/self/maps")) {
      int at = line.IndexOf('/');
      if (at >= 0 && line.EndsWith("libacmenative.so")) {
        Console.WriteLine("libacmenative: " + line.Substring(at));
        break;
      }
    }
    try {
      Assembly de = typeof(Acme.Greeter).Assembly.GetSatelliteAssembly(new CultureInfo("de"));
      Console.WriteLine("satellite de: " + de.Location);
    } catch (Exception e) {
      Console.WriteLine("satellite de: none (" + e.GetType().Name + ")");
    }
    return 0;
  }
}
