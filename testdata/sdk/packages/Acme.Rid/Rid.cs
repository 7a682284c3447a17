namespace Acme.Rid
{
    public static class Flavor
    {
#if FLAVOR_UNIX
        public static string Describe() => "Acme.Rid unix build";
#elif FLAVOR_WIN
        public static string Describe() => "Acme.Rid win build";
#else
        public static string Describe() => "Acme.Rid portable build";
#endif
    }
}
