namespace Acme.Meta { static class Unused { } }
