namespace Acme.Local { public static class Info { public static string Describe() => "Acme.Local " + typeof(Info).Assembly.GetName().Version; } }
