/**
 * The memory half of a Wizer snapshot: which ranges of an initialized memory become active
 * data segments. Reproduces Wizer 10 (the binary componentize-js 0.23 runs; its
 * src/snapshot.rs): every maximal run of non-zero bytes is a segment, runs at most 4 bytes
 * apart are merged (4 bytes is the least an extra active segment costs: memory index, the
 * `i32.const` opcode and immediate, the length), and when that still leaves 10,000 segments
 * or more, the segments across the smallest gaps are merged until 10,000 are left.
 *
 * Wizer cuts runs at page boundaries first and then merges them again (gap 0), which gives
 * the same runs as scanning the whole memory at once, as done here.
 */

/** Wizer's cap on the number of data segments it emits. */
export const MAX_DATA_SEGMENTS = 10_000;
/** Runs separated by at most this many zero bytes are merged. */
export const MIN_ACTIVE_SEGMENT_OVERHEAD = 4;

export interface DataSegment {
  memoryIndex: number;
  /** Byte offset in the memory. */
  offset: number;
  len: number;
}

/** Maximal runs of non-zero bytes as [start, end) pairs, in order. */
export function nonZeroRuns(mem: Uint8Array): number[] {
  const runs: number[] = [];
  const n = mem.length;
  // Zero words are skipped four bytes at a time (most of an initialized heap is zeros).
  const aligned = mem.byteOffset % 4 === 0;
  const words = aligned ? new Uint32Array(mem.buffer, mem.byteOffset, n >>> 2) : null;
  let i = 0;
  while (i < n) {
    if (words && (i & 3) === 0) {
      let w = i >>> 2;
      while (w < words.length && words[w] === 0) w++;
      i = w << 2;
    }
    while (i < n && mem[i] === 0) {
      i++;
      if (words && (i & 3) === 0) break;
    }
    if (i >= n) break;
    if (mem[i] === 0) continue; // reached a word boundary inside zeros: skip by words again
    const start = i;
    while (i < n && mem[i] !== 0) i++;
    runs.push(start, i);
  }
  return runs;
}

/**
 * Data segments for the initialized memories (in memory index order), as Wizer would emit
 * them: sorted by memory and offset, at most `maxSegments`.
 */
export function snapshotSegments(memories: readonly Uint8Array[], maxSegments = MAX_DATA_SEGMENTS): DataSegment[] {
  const merged: DataSegment[] = [];
  memories.forEach((mem, memoryIndex) => {
    const runs = nonZeroRuns(mem);
    let last: DataSegment | undefined;
    for (let k = 0; k < runs.length; k += 2) {
      const start = runs[k]!;
      const end = runs[k + 1]!;
      if (last && start - (last.offset + last.len) <= MIN_ACTIVE_SEGMENT_OVERHEAD) {
        last.len = end - last.offset;
        continue;
      }
      last = { memoryIndex, offset: start, len: end - start };
      merged.push(last);
    }
  });
  return removeExcessSegments(merged, maxSegments);
}

/**
 * Merges the segments across the smallest gaps (within one memory) until `maxSegments` are
 * left. Wizer picks the gaps with Rust's unstable sort, so among equal gaps its choice is
 * unspecified; here ties go to the lower offset. Either way the memory the segments
 * describe is the same (a gap is zeros, and merging copies them in).
 */
export function removeExcessSegments(segments: DataSegment[], maxSegments = MAX_DATA_SEGMENTS): DataSegment[] {
  if (segments.length < maxSegments) return segments;
  const excess = segments.length - maxSegments;
  if (excess === 0) return segments;
  const gaps: { gap: number; index: number }[] = [];
  for (let i = 0; i + 1 < segments.length; i++) {
    const a = segments[i]!;
    const b = segments[i + 1]!;
    if (a.memoryIndex !== b.memoryIndex) continue;
    gaps.push({ gap: b.offset - (a.offset + a.len), index: i });
  }
  gaps.sort((x, y) => x.gap - y.gap || x.index - y.index);
  const mergeAfter = new Uint8Array(segments.length);
  for (const g of gaps.slice(0, excess)) mergeAfter[g.index] = 1;
  const out: DataSegment[] = [];
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    const prev = out[out.length - 1];
    if (prev && mergeAfter[i - 1]) prev.len = s.offset + s.len - prev.offset;
    else out.push({ ...s });
  }
  return out;
}
