// Just enough of a zip reader to look inside a .vsix: the central directory's
// names, and an entry's bytes (stored or deflated). No zip64, no encryption.

import * as zlib from 'zlib';

export interface ZipEntry {
    name: string;
    method: number;
    compressedSize: number;
    size: number;
    localHeaderOffset: number;
}

export function zipEntries(buf: Buffer): ZipEntry[] {
    // The end-of-central-directory record is in the last 22 + 65535 bytes.
    let eocd = -1;
    for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
        if (buf.readUInt32LE(i) === 0x06054b50) {
            eocd = i;
            break;
        }
    }
    if (eocd < 0) {
        throw new Error('not a zip file: no end of central directory record');
    }
    const count = buf.readUInt16LE(eocd + 10);
    let p = buf.readUInt32LE(eocd + 16);
    const out: ZipEntry[] = [];
    for (let i = 0; i < count; i++) {
        if (buf.readUInt32LE(p) !== 0x02014b50) {
            throw new Error(`bad central directory entry ${i} at ${p}`);
        }
        const nameLen = buf.readUInt16LE(p + 28);
        const extraLen = buf.readUInt16LE(p + 30);
        const commentLen = buf.readUInt16LE(p + 32);
        out.push({
            method: buf.readUInt16LE(p + 10),
            compressedSize: buf.readUInt32LE(p + 20),
            size: buf.readUInt32LE(p + 24),
            localHeaderOffset: buf.readUInt32LE(p + 42),
            name: buf.toString('utf8', p + 46, p + 46 + nameLen),
        });
        p += 46 + nameLen + extraLen + commentLen;
    }
    return out;
}

export function zipRead(buf: Buffer, entry: ZipEntry): Buffer {
    const p = entry.localHeaderOffset;
    if (buf.readUInt32LE(p) !== 0x04034b50) {
        throw new Error(`bad local header for ${entry.name}`);
    }
    const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
    const data = buf.subarray(start, start + entry.compressedSize);
    switch (entry.method) {
        case 0:
            return Buffer.from(data);
        case 8:
            return zlib.inflateRawSync(data);
        default:
            throw new Error(`${entry.name}: compression method ${entry.method} not supported`);
    }
}
