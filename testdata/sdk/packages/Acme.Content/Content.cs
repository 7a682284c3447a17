namespace Acme.Content { public static class Info { public static string Describe() => "Acme.Content " + typeof(Info).Assembly.GetName().Version; } }
