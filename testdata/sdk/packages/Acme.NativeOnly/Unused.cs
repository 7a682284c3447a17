namespace Acme.NativeOnly { static class Unused { } }
