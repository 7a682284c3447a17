// Acme.Native: a managed wrapper around libacmenative.so, which the package ships under
// runtimes/linux-x64/native/ (chosen by the host through runtimeTargets).
using System.Reflection;
using System.Runtime.InteropServices;
[assembly: AssemblyVersion("VERSION.0")]
namespace Acme {
  public static class Native {
    [DllImport("acmenative")]
    static extern int acme_answer();
    public static int Answer() { return acme_answer(); }
  }
}
