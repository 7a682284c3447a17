//! The identity of a .NET assembly, read from its ECMA-335 metadata: PE headers -> CLI header ->
//! metadata root -> `#~`, `#Strings`, `#GUID` and `#Blob` streams -> Module and Assembly tables.
//!
//! A ReadyToRun (crossgen) image of an assembly keeps its full metadata, so name, version,
//! culture, public key and module MVID stay the same while the bytes differ: comparing identities
//! tells "the same assembly, compiled ahead of time" from "another build". Every read is
//! bounds-checked; malformed input is an error, never a panic. Pure: bytes in.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    #[error("not a PE file (no MZ/PE signature)")]
    NotPe,
    #[error("a PE file without .NET metadata (a native library?)")]
    NotManaged,
    #[error("managed module without an Assembly table (a netmodule?)")]
    NoAssembly,
    #[error("malformed .NET metadata: {0}")]
    Malformed(&'static str),
}

type Result<T> = std::result::Result<T, MetadataError>;

/// What makes two assembly files "the same assembly" for the runtime.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AssemblyIdentity {
    pub name: String,
    pub version: [u16; 4],
    /// Empty for neutral.
    pub culture: String,
    /// The full public key blob; empty when not strong-named.
    pub public_key: Vec<u8>,
    /// The module version id: unique per compilation, kept by ReadyToRun compilation.
    pub mvid: [u8; 16],
}

impl AssemblyIdentity {
    pub fn version_string(&self) -> String {
        let [a, b, c, d] = self.version;
        format!("{a}.{b}.{c}.{d}")
    }

    /// The MVID as .NET prints a GUID: `{4DD484D8-B3B1-4566-AC48-3BD566769061}` without braces.
    pub fn mvid_string(&self) -> String {
        let g = &self.mvid;
        format!(
            "{:08X}-{:04X}-{:04X}-{:02X}{:02X}-{:02X}{:02X}{:02X}{:02X}{:02X}{:02X}",
            u32::from_le_bytes([g[0], g[1], g[2], g[3]]),
            u16::from_le_bytes([g[4], g[5]]),
            u16::from_le_bytes([g[6], g[7]]),
            g[8],
            g[9],
            g[10],
            g[11],
            g[12],
            g[13],
            g[14],
            g[15]
        )
    }

    /// The first field that differs from `other`, for messages.
    pub fn difference(&self, other: &AssemblyIdentity) -> Option<String> {
        if self.name != other.name {
            Some(format!("name {} vs {}", self.name, other.name))
        } else if self.version != other.version {
            Some(format!(
                "version {} vs {}",
                self.version_string(),
                other.version_string()
            ))
        } else if self.culture != other.culture {
            Some(format!("culture {:?} vs {:?}", self.culture, other.culture))
        } else if self.public_key != other.public_key {
            Some("public key differs".to_string())
        } else if self.mvid != other.mvid {
            Some(format!(
                "MVID {} vs {} (another build)",
                self.mvid_string(),
                other.mvid_string()
            ))
        } else {
            None
        }
    }
}

impl fmt::Display for AssemblyIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let culture = if self.culture.is_empty() {
            "neutral"
        } else {
            &self.culture
        };
        write!(
            f,
            "{}, Version={}, Culture={culture}, {}, MVID={}",
            self.name,
            self.version_string(),
            if self.public_key.is_empty() {
                "not strong-named".to_string()
            } else {
                format!("PublicKey={} bytes", self.public_key.len())
            },
            self.mvid_string()
        )
    }
}

/// A bounds-checked little-endian view of a byte slice.
#[derive(Clone, Copy)]
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn slice(self, at: usize, len: usize, what: &'static str) -> Result<&'a [u8]> {
        at.checked_add(len)
            .and_then(|end| self.0.get(at..end))
            .ok_or(MetadataError::Malformed(what))
    }
    fn u8(self, at: usize, what: &'static str) -> Result<u8> {
        Ok(self.slice(at, 1, what)?[0])
    }
    fn u16(self, at: usize, what: &'static str) -> Result<u16> {
        let b = self.slice(at, 2, what)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(self, at: usize, what: &'static str) -> Result<u32> {
        let b = self.slice(at, 4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(self, at: usize, what: &'static str) -> Result<u64> {
        let b = self.slice(at, 8, what)?;
        Ok(u64::from_le_bytes(b.try_into().expect("8 bytes")))
    }
    /// An index of 2 or 4 bytes.
    fn index(self, at: usize, wide: bool, what: &'static str) -> Result<u32> {
        if wide {
            self.u32(at, what)
        } else {
            self.u16(at, what).map(u32::from)
        }
    }
}

/// Reads the assembly identity of a .NET PE file.
pub fn read_identity(file: &[u8]) -> Result<AssemblyIdentity> {
    let b = Bytes(file);
    if b.slice(0, 2, "DOS header")
        .map_err(|_| MetadataError::NotPe)?
        != b"MZ"
    {
        return Err(MetadataError::NotPe);
    }
    let pe = b.u32(0x3c, "e_lfanew").map_err(|_| MetadataError::NotPe)? as usize;
    if b.slice(pe, 4, "PE signature")
        .map_err(|_| MetadataError::NotPe)?
        != b"PE\0\0"
    {
        return Err(MetadataError::NotPe);
    }
    let coff = pe + 4;
    let sections = b.u16(coff + 2, "COFF header")? as usize;
    let optional_size = b.u16(coff + 16, "COFF header")? as usize;
    let optional = coff + 20;
    let (dirs_count_at, dirs_at) = match b.u16(optional, "optional header")? {
        0x10b => (optional + 92, optional + 96),
        0x20b => (optional + 108, optional + 112),
        _ => return Err(MetadataError::Malformed("unknown optional header magic")),
    };
    if b.u32(dirs_count_at, "data directory count")? < 15 {
        return Err(MetadataError::NotManaged);
    }
    let cli_rva = b.u32(dirs_at + 14 * 8, "CLI header directory")?;
    if cli_rva == 0 {
        return Err(MetadataError::NotManaged);
    }
    let section_table = optional + optional_size;
    let to_offset = |rva: u32| -> Result<usize> {
        for i in 0..sections {
            let s = section_table + i * 40;
            let virtual_size = b.u32(s + 8, "section header")?;
            let virtual_address = b.u32(s + 12, "section header")?;
            let raw_size = b.u32(s + 16, "section header")?;
            let raw_pointer = b.u32(s + 20, "section header")?;
            let span = virtual_size.max(raw_size);
            if rva >= virtual_address && rva - virtual_address < span {
                return Ok((rva - virtual_address) as usize + raw_pointer as usize);
            }
        }
        Err(MetadataError::Malformed(
            "an RVA lies outside every section",
        ))
    };
    let cli = to_offset(cli_rva)?;
    let metadata = to_offset(b.u32(cli + 8, "CLI header")?)?;
    let metadata_size = b.u32(cli + 12, "CLI header")? as usize;
    let root = Bytes(b.slice(metadata, metadata_size, "metadata root")?);
    if root.u32(0, "metadata signature")? != 0x424A_5342 {
        return Err(MetadataError::Malformed("no BSJB metadata signature"));
    }
    let version_len = root.u32(12, "metadata version length")? as usize;
    let mut at = 16usize
        .checked_add(version_len)
        .ok_or(MetadataError::Malformed("metadata version length"))?;
    let stream_count = root.u16(at + 2, "stream count")?;
    at += 4;
    let (mut tables, mut strings, mut guids, mut blobs) = (None, None, None, None);
    for _ in 0..stream_count {
        let offset = root.u32(at, "stream header")? as usize;
        let size = root.u32(at + 4, "stream header")? as usize;
        let name_at = at + 8;
        let name_len = root.0[name_at.min(root.0.len())..]
            .iter()
            .take(32)
            .position(|&c| c == 0)
            .ok_or(MetadataError::Malformed("stream name"))?;
        let name = root.slice(name_at, name_len, "stream name")?;
        let stream = root.slice(offset, size, "stream")?;
        match name {
            b"#~" | b"#-" => tables = Some(stream),
            b"#Strings" => strings = Some(stream),
            b"#GUID" => guids = Some(stream),
            b"#Blob" => blobs = Some(stream),
            _ => {}
        }
        at = name_at + (name_len + 4) / 4 * 4;
    }
    let tables = Bytes(tables.ok_or(MetadataError::Malformed("no #~ stream"))?);
    let strings = Bytes(strings.unwrap_or(&[]));
    let guids = Bytes(guids.unwrap_or(&[]));
    let blobs = Bytes(blobs.unwrap_or(&[]));

    let heap_sizes = tables.u8(6, "#~ header")?;
    let valid = tables.u64(8, "#~ header")?;
    let mut rows = [0u32; 64];
    let mut at = 24;
    for (t, r) in rows.iter_mut().enumerate() {
        if valid & (1 << t) != 0 {
            *r = tables.u32(at, "row counts")?;
            at += 4;
        }
    }
    if heap_sizes & 0x40 != 0 {
        // Edit-and-continue images carry an extra 4 bytes after the row counts.
        at += 4;
    }
    let layout = Layout {
        rows,
        wide_string: heap_sizes & 0x01 != 0,
        wide_guid: heap_sizes & 0x02 != 0,
        wide_blob: heap_sizes & 0x04 != 0,
    };
    // Skip every table before Module (none) and before Assembly (0x20).
    let module_at = at;
    let mut assembly_at = at;
    for t in 0..ASSEMBLY {
        let size = layout.row_size(t)?;
        assembly_at = (layout.rows[t] as usize)
            .checked_mul(size)
            .and_then(|n| assembly_at.checked_add(n))
            .ok_or(MetadataError::Malformed("table sizes"))?;
    }
    if layout.rows[MODULE] == 0 {
        return Err(MetadataError::Malformed("no Module row"));
    }
    if layout.rows[ASSEMBLY] == 0 {
        return Err(MetadataError::NoAssembly);
    }
    // Module: Generation u16, Name str, Mvid guid, ...
    let mvid_index = tables.index(
        module_at + 2 + layout.string_size(),
        layout.wide_guid,
        "Module row",
    )? as usize;
    let mvid = if mvid_index == 0 {
        [0u8; 16]
    } else {
        guids
            .slice((mvid_index - 1) * 16, 16, "#GUID index")?
            .try_into()
            .expect("16 bytes")
    };
    // Assembly: HashAlgId u32, Major, Minor, Build, Revision u16, Flags u32, PublicKey blob,
    // Name str, Culture str.
    let a = assembly_at;
    let version = [
        tables.u16(a + 4, "Assembly row")?,
        tables.u16(a + 6, "Assembly row")?,
        tables.u16(a + 8, "Assembly row")?,
        tables.u16(a + 10, "Assembly row")?,
    ];
    let key_at = a + 16;
    let public_key = blob(
        blobs,
        tables.index(key_at, layout.wide_blob, "Assembly row")? as usize,
    )?
    .to_vec();
    let name_at = key_at + layout.blob_size();
    let name = string(
        strings,
        tables.index(name_at, layout.wide_string, "Assembly row")? as usize,
    )?;
    let culture = string(
        strings,
        tables.index(
            name_at + layout.string_size(),
            layout.wide_string,
            "Assembly row",
        )? as usize,
    )?;
    Ok(AssemblyIdentity {
        name,
        version,
        culture,
        public_key,
        mvid,
    })
}

fn string(heap: Bytes<'_>, at: usize) -> Result<String> {
    let rest = heap
        .0
        .get(at..)
        .ok_or(MetadataError::Malformed("#Strings index"))?;
    let end = rest
        .iter()
        .position(|&c| c == 0)
        .ok_or(MetadataError::Malformed("unterminated string"))?;
    std::str::from_utf8(&rest[..end])
        .map(str::to_string)
        .map_err(|_| MetadataError::Malformed("string is not UTF-8"))
}

fn blob(heap: Bytes<'_>, at: usize) -> Result<&[u8]> {
    if at == 0 || heap.0.is_empty() {
        return Ok(&[]);
    }
    let first = heap.u8(at, "#Blob index")?;
    let (len, header) = if first & 0x80 == 0 {
        (first as usize, 1)
    } else if first & 0xC0 == 0x80 {
        let second = heap.u8(at + 1, "blob length")?;
        ((((first & 0x3F) as usize) << 8) | second as usize, 2)
    } else if first & 0xE0 == 0xC0 {
        let b = heap.slice(at + 1, 3, "blob length")?;
        (
            (((first & 0x1F) as usize) << 24)
                | ((b[0] as usize) << 16)
                | ((b[1] as usize) << 8)
                | b[2] as usize,
            4,
        )
    } else {
        return Err(MetadataError::Malformed("blob length"));
    };
    heap.slice(at + header, len, "blob")
}

// Table numbers (ECMA-335 II.22).
const MODULE: usize = 0x00;
const TYPE_REF: usize = 0x01;
const TYPE_DEF: usize = 0x02;
const FIELD: usize = 0x04;
const METHOD_DEF: usize = 0x06;
const PARAM: usize = 0x08;
const INTERFACE_IMPL: usize = 0x09;
const MEMBER_REF: usize = 0x0A;
const DECL_SECURITY: usize = 0x0E;
const STAND_ALONE_SIG: usize = 0x11;
const EVENT: usize = 0x14;
const PROPERTY: usize = 0x17;
const MODULE_REF: usize = 0x1A;
const TYPE_SPEC: usize = 0x1B;
const ASSEMBLY: usize = 0x20;
const ASSEMBLY_REF: usize = 0x23;
const FILE: usize = 0x26;
const EXPORTED_TYPE: usize = 0x27;
const MANIFEST_RESOURCE: usize = 0x28;
const GENERIC_PARAM: usize = 0x2A;
const METHOD_SPEC: usize = 0x2B;
const GENERIC_PARAM_CONSTRAINT: usize = 0x2C;

/// One column of a table row.
#[derive(Clone, Copy)]
enum Col {
    Fixed(usize),
    Str,
    Guid,
    Blob,
    /// A simple index into one table.
    Table(usize),
    /// A coded index: tag bits and the tables it may point into (`usize::MAX` = unused tag).
    Coded(u32, &'static [usize]),
}

const NONE: usize = usize::MAX;
const TYPE_DEF_OR_REF: Col = Col::Coded(2, &[TYPE_DEF, TYPE_REF, TYPE_SPEC]);
const HAS_CONSTANT: Col = Col::Coded(2, &[FIELD, PARAM, PROPERTY]);
const HAS_CUSTOM_ATTRIBUTE: Col = Col::Coded(
    5,
    &[
        METHOD_DEF,
        FIELD,
        TYPE_REF,
        TYPE_DEF,
        PARAM,
        INTERFACE_IMPL,
        MEMBER_REF,
        MODULE,
        DECL_SECURITY,
        PROPERTY,
        EVENT,
        STAND_ALONE_SIG,
        MODULE_REF,
        TYPE_SPEC,
        ASSEMBLY,
        ASSEMBLY_REF,
        FILE,
        EXPORTED_TYPE,
        MANIFEST_RESOURCE,
        GENERIC_PARAM,
        GENERIC_PARAM_CONSTRAINT,
        METHOD_SPEC,
    ],
);
const HAS_FIELD_MARSHAL: Col = Col::Coded(1, &[FIELD, PARAM]);
const HAS_DECL_SECURITY: Col = Col::Coded(2, &[TYPE_DEF, METHOD_DEF, ASSEMBLY]);
const MEMBER_REF_PARENT: Col =
    Col::Coded(3, &[TYPE_DEF, TYPE_REF, MODULE_REF, METHOD_DEF, TYPE_SPEC]);
const HAS_SEMANTICS: Col = Col::Coded(1, &[EVENT, PROPERTY]);
const METHOD_DEF_OR_REF: Col = Col::Coded(1, &[METHOD_DEF, MEMBER_REF]);
const MEMBER_FORWARDED: Col = Col::Coded(1, &[FIELD, METHOD_DEF]);
const CUSTOM_ATTRIBUTE_TYPE: Col = Col::Coded(3, &[NONE, NONE, METHOD_DEF, MEMBER_REF, NONE]);
const RESOLUTION_SCOPE: Col = Col::Coded(2, &[MODULE, MODULE_REF, ASSEMBLY_REF, TYPE_REF]);

/// Row layouts of tables 0x00 to 0x1F: everything that precedes the Assembly table.
fn schema(table: usize) -> Result<&'static [Col]> {
    use Col::*;
    Ok(match table {
        0x00 => &[Fixed(2), Str, Guid, Guid, Guid],
        0x01 => &[RESOLUTION_SCOPE, Str, Str],
        0x02 => &[
            Fixed(4),
            Str,
            Str,
            TYPE_DEF_OR_REF,
            Table(FIELD),
            Table(METHOD_DEF),
        ],
        0x03 => &[Table(FIELD)],
        0x04 => &[Fixed(2), Str, Blob],
        0x05 => &[Table(METHOD_DEF)],
        0x06 => &[Fixed(4), Fixed(2), Fixed(2), Str, Blob, Table(PARAM)],
        0x07 => &[Table(PARAM)],
        0x08 => &[Fixed(2), Fixed(2), Str],
        0x09 => &[Table(TYPE_DEF), TYPE_DEF_OR_REF],
        0x0A => &[MEMBER_REF_PARENT, Str, Blob],
        0x0B => &[Fixed(2), HAS_CONSTANT, Blob],
        0x0C => &[HAS_CUSTOM_ATTRIBUTE, CUSTOM_ATTRIBUTE_TYPE, Blob],
        0x0D => &[HAS_FIELD_MARSHAL, Blob],
        0x0E => &[Fixed(2), HAS_DECL_SECURITY, Blob],
        0x0F => &[Fixed(2), Fixed(4), Table(TYPE_DEF)],
        0x10 => &[Fixed(4), Table(FIELD)],
        0x11 => &[Blob],
        0x12 => &[Table(TYPE_DEF), Table(EVENT)],
        0x13 => &[Table(EVENT)],
        0x14 => &[Fixed(2), Str, TYPE_DEF_OR_REF],
        0x15 => &[Table(TYPE_DEF), Table(PROPERTY)],
        0x16 => &[Table(PROPERTY)],
        0x17 => &[Fixed(2), Str, Blob],
        0x18 => &[Fixed(2), Table(METHOD_DEF), HAS_SEMANTICS],
        0x19 => &[Table(TYPE_DEF), METHOD_DEF_OR_REF, METHOD_DEF_OR_REF],
        0x1A => &[Str],
        0x1B => &[Blob],
        0x1C => &[Fixed(2), MEMBER_FORWARDED, Str, Table(MODULE_REF)],
        0x1D => &[Fixed(4), Table(FIELD)],
        0x1E => &[Fixed(4), Fixed(4)],
        0x1F => &[Fixed(4)],
        _ => return Err(MetadataError::Malformed("unknown table")),
    })
}

struct Layout {
    rows: [u32; 64],
    wide_string: bool,
    wide_guid: bool,
    wide_blob: bool,
}

impl Layout {
    fn string_size(&self) -> usize {
        if self.wide_string {
            4
        } else {
            2
        }
    }
    fn blob_size(&self) -> usize {
        if self.wide_blob {
            4
        } else {
            2
        }
    }
    fn row_size(&self, table: usize) -> Result<usize> {
        Ok(schema(table)?
            .iter()
            .map(|col| match *col {
                Col::Fixed(n) => n,
                Col::Str => self.string_size(),
                Col::Guid => {
                    if self.wide_guid {
                        4
                    } else {
                        2
                    }
                }
                Col::Blob => self.blob_size(),
                Col::Table(t) => {
                    if self.rows[t] < 1 << 16 {
                        2
                    } else {
                        4
                    }
                }
                Col::Coded(bits, tables) => {
                    let max = tables
                        .iter()
                        .filter(|&&t| t != NONE)
                        .map(|&t| self.rows[t])
                        .max()
                        .unwrap_or(0);
                    if max < 1 << (16 - bits) {
                        2
                    } else {
                        4
                    }
                }
            })
            .sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn fixture(name: &str) -> Vec<u8> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/assemblies")
            .join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn id(name: &str) -> AssemblyIdentity {
        read_identity(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    // Expected values as printed by Mono's `monodis --module` / `--assembly` for the committed
    // fixtures (testdata/assemblies/build.sh), an implementation independent of this one.
    #[test]
    fn reads_what_monodis_reads() {
        let g = id("Acme.Greeter.dll");
        assert_eq!(g.name, "Acme.Greeter");
        assert_eq!(g.version_string(), "1.2.3.0");
        assert_eq!(g.culture, "");
        assert!(g.public_key.is_empty());
        assert_eq!(g.mvid_string(), "4DD484D8-B3B1-4566-AC48-3BD566769061");

        let v = id("1.2.4/Acme.Greeter.dll");
        assert_eq!(v.version_string(), "1.2.4.0");
        assert_eq!(v.mvid_string(), "463CBE2E-60F7-4BFE-BF6B-20768FBD3B7C");

        let r = id("rebuilt/Acme.Greeter.dll");
        assert_eq!(r.mvid_string(), "2BD51ABE-0426-4318-B56B-98D5033B5D03");

        let de = id("de/Acme.Greeter.resources.dll");
        assert_eq!(de.name, "Acme.Greeter.resources");
        assert_eq!(de.culture, "de");
        assert_eq!(de.mvid_string(), "292F6C8B-557A-4C16-8412-B0AEB2D12809");

        let s = id("signed/Acme.Greeter.dll");
        assert_eq!(s.public_key.len(), 160);
        assert_eq!(
            &s.public_key[..8],
            &[0x00, 0x24, 0x00, 0x00, 0x04, 0x80, 0x00, 0x00]
        );
        assert_eq!(&s.public_key[0x20..0x24], &[0x31, 0xCF, 0xAB, 0x76]);
        assert_eq!(s.mvid_string(), "57ACD0D4-F6EA-496E-BF80-09734682C953");
    }

    #[test]
    fn identity_tells_builds_apart() {
        let g = id("Acme.Greeter.dll");
        assert_eq!(g.difference(&g), None);
        let r = id("rebuilt/Acme.Greeter.dll");
        assert!(g.difference(&r).unwrap().starts_with("MVID"));
        let v = id("1.2.4/Acme.Greeter.dll");
        assert!(g
            .difference(&v)
            .unwrap()
            .starts_with("version 1.2.3.0 vs 1.2.4.0"));
        let s = id("signed/Acme.Greeter.dll");
        assert_eq!(g.difference(&s).unwrap(), "public key differs");
    }

    #[test]
    fn bytes_outside_metadata_do_not_change_the_identity() {
        // The COFF time stamp and the checksum are outside the metadata; a rebuilt PE (or a
        // ReadyToRun image) differs in such bytes and is still the same assembly.
        let mut bytes = fixture("Acme.Greeter.dll");
        let original = read_identity(&bytes).unwrap();
        let pe = u32::from_le_bytes(bytes[0x3c..0x40].try_into().unwrap()) as usize;
        bytes[pe + 8] ^= 0xff; // TimeDateStamp
        bytes[pe + 24 + 64] ^= 0xff; // CheckSum in the optional header
        assert_eq!(read_identity(&bytes).unwrap(), original);
    }

    #[test]
    fn non_assemblies_are_errors() {
        assert_eq!(read_identity(b""), Err(MetadataError::NotPe));
        assert_eq!(
            read_identity(b"\x7fELF\x02\x01\x01"),
            Err(MetadataError::NotPe)
        );
        assert_eq!(read_identity(b"MZ"), Err(MetadataError::NotPe));
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let bytes = fixture("signed/Acme.Greeter.dll");
        for len in 0..bytes.len() {
            let _ = read_identity(&bytes[..len]);
        }
        // And every single-byte corruption of the headers and metadata.
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] = b[i].wrapping_add(0x81);
            let _ = read_identity(&b);
        }
    }
}
