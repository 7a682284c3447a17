"""Writes a .nupkg (an OPC zip) from a nuspec template and files; used by pack.sh.

Deterministic: entries in a fixed order with a fixed timestamp, so the same inputs give the same
bytes. The parts NuGet's own pack writes are here too ([Content_Types].xml, _rels/.rels and the
core-properties part), so nuget.org and `dotnet nuget push` accept the package.
"""
import argparse
import hashlib
import os
import re
import tempfile
import zipfile
from xml.sax.saxutils import escape

EPOCH = (1980, 1, 1, 0, 0, 0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--version", required=True)
    p.add_argument("--nuspec", required=True)
    p.add_argument("--file", action="append", default=[], help="PATH_IN_PACKAGE=SOURCE")
    p.add_argument("--out", required=True)
    a = p.parse_args()

    with open(a.nuspec, encoding="utf-8") as f:
        nuspec = f.read().replace("$version$", escape(a.version))
    package_id = re.search(r"<id>([^<]+)</id>", nuspec).group(1)
    description = re.search(r"<description>([^<]+)</description>", nuspec).group(1)
    authors = re.search(r"<authors>([^<]+)</authors>", nuspec).group(1)

    files = []
    for spec in a.file:
        inside, source = spec.split("=", 1)
        with open(source, "rb") as f:
            files.append((inside, f.read(), os.access(source, os.X_OK)))

    digest = hashlib.sha256(nuspec.encode() + b"".join(d for _, d, _ in files)).hexdigest()[:32]
    props = f"package/services/metadata/core-properties/{digest}.psmdcp"
    extensions = sorted({os.path.splitext(n)[1].lstrip(".") for n, _, _ in files} | {"nuspec"})
    defaults = "".join(
        f'\n  <Default Extension="{e}" ContentType="application/octet" />' for e in extensions if e
    )
    # A part without an extension needs its own content type.
    overrides = "".join(
        f'  <Override PartName="/{n}" ContentType="application/octet" />\n'
        for n, _, _ in files
        if not os.path.splitext(n)[1]
    )
    content_types = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\n'
        '  <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml" />\n'
        '  <Default Extension="psmdcp" ContentType="application/vnd.openxmlformats-package.core-properties+xml" />'
        f"{defaults}\n"
        f"{overrides}"
        "</Types>\n"
    )
    rels = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\n'
        f'  <Relationship Type="http://schemas.microsoft.com/packaging/2010/07/manifest" Target="/{package_id}.nuspec" Id="R0" />\n'
        f'  <Relationship Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="/{props}" Id="R1" />\n'
        "</Relationships>\n"
    )
    core = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<coreProperties xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns="http://schemas.openxmlformats.org/package/2006/metadata/core-properties">\n'
        f"  <dc:creator>{authors}</dc:creator>\n  <dc:description>{description}</dc:description>\n"
        f"  <dc:identifier>{package_id}</dc:identifier>\n  <version>{escape(a.version)}</version>\n"
        "  <lastModifiedBy>trim-publish pack.sh</lastModifiedBy>\n</coreProperties>\n"
    )

    entries = [("_rels/.rels", rels.encode(), False), (f"{package_id}.nuspec", nuspec.encode(), False)]
    entries += sorted(files)
    entries += [("[Content_Types].xml", content_types.encode(), False), (props, core.encode(), False)]
    # A new file under an unpredictable name (O_EXCL), renamed into place when complete: no link
    # planted at a fixed temporary name is followed, and the package's name never holds half a
    # package.
    fd, tmp = tempfile.mkstemp(
        prefix=".TrimPublish-", suffix=".tmp", dir=os.path.dirname(os.path.abspath(a.out))
    )
    try:
        with os.fdopen(fd, "wb") as f, zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data, executable in entries:
                info = zipfile.ZipInfo(name, EPOCH)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # Unix, so that unzip keeps the mode below
                info.external_attr = (0o100755 if executable else 0o100644) << 16
                z.writestr(info, data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, a.out)
    except BaseException:
        os.unlink(tmp)
        raise


if __name__ == "__main__":
    main()
