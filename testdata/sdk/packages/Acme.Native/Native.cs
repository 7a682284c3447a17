using System;
using System.IO;
namespace Acme.Native
{
    public static class Library
    {
        /// Whether the host told the runtime where this package's native library is: the
        /// runtime looks for natives in NATIVE_DLL_SEARCH_DIRECTORIES, which the host fills from
        /// the app folder and the stores. The file is never loaded (its bytes are not a library).
        public static string Locate()
        {
            var name = Path.DirectorySeparatorChar == '\\' ? "acmenative.dll" : "libacmenative.so";
            var dirs = (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") as string ?? "").Split(Path.PathSeparator);
            foreach (var dir in dirs)
                if (dir.Length > 0 && File.Exists(Path.Combine(dir, name))) return name + " found";
            return name + " missing";
        }
    }
}
