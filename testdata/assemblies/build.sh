#!/usr/bin/env bash
# Rebuilds the assemblies the metadata-reader tests read. Needs `mcs` (Debian package mono-mcs).
# mcs names an assembly after its output file and derives the MVID from the content. The tests
# rely on both: `rebuilt/` is a changed method body under the same name and version, so another
# build (another MVID) of "the same" assembly, which a store must not be trusted to replace. The
# outputs are committed so the tests need no compiler; after rebuilding, update the MVIDs in
# src/metadata.rs (`monodis --module`).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p rebuilt 1.2.4 de signed
mcs -noconfig -nologo -optimize+ -target:library -out:Acme.Greeter.dll src/Greeter.cs
mcs -noconfig -nologo -optimize+ -target:library -out:rebuilt/Acme.Greeter.dll src/GreeterRebuilt.cs
mcs -noconfig -nologo -optimize+ -target:library -out:1.2.4/Acme.Greeter.dll src/Greeter124.cs
# A satellite (resource) assembly: culture `de`.
mcs -noconfig -nologo -target:library -out:de/Acme.Greeter.resources.dll src/Greeter.de.cs
# Strong-named, with a fixed test key pair (src/test.snk; not a secret).
mcs -noconfig -nologo -target:library -keyfile:src/test.snk -out:signed/Acme.Greeter.dll src/Greeter.cs
