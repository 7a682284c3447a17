using System.Reflection;
namespace Acme.Core
{
    public static class Info
    {
        public static string Describe() =>
            "Acme.Core " + typeof(Info).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>().InformationalVersion;
    }
}
