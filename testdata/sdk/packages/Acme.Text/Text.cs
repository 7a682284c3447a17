using System.Globalization;
using System.Resources;
namespace Acme.Text
{
    public static class Greeting
    {
        static readonly ResourceManager Strings = new ResourceManager("Acme.Text.Strings", typeof(Greeting).Assembly);
        public static string In(string culture) =>
            Strings.GetString("Hello", new CultureInfo(culture)) + " (" + Acme.Core.Info.Describe() + ")";
    }
}
