// Runs flite (compiled to WASI) in a worker thread, so a synthesis (20–150 ms of CPU) never stalls the
// calls' 20 ms clocks. Plain JavaScript: a worker loads it as is under node, tsx and vitest alike.
//
// It brings its own minimal WASI (the dozen calls flite imports, with an in-memory file for the WAV it
// writes) instead of node:wasi, which on Node 20 prints an experimental warning and, measured here,
// segfaults within a few hundred syntheses once the event loop turns between them.
//
// Also runs as a child process (forked with an IPC channel, the WASM path as its argument) for work whose
// memory should leave with it: a thread's allocator arenas stay mapped in the process after it ends.
import { readFileSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";

const channel = parentPort ?? {
  on: (event, listener) => process.on(event, listener),
  postMessage: (message) => process.send(message),
};
// A child whose parent is gone (or let it go) has no one to speak for.
if (!parentPort) process.on("disconnect", () => process.exit(0));

const module_ = new WebAssembly.Module(readFileSync(parentPort ? workerData.wasmPath : process.argv[2]));
const ERRNO_SUCCESS = 0;
const ERRNO_BADF = 8;
const ERRNO_NOENT = 44;
const PREOPEN_FD = 3;
const PREOPEN_NAME = new TextEncoder().encode("/out");

class ProcExit {
  constructor(code) {
    this.code = code;
  }
}

/** One flite run: argv in, the bytes of the file it wrote out. */
function runFlite(args) {
  let memory;
  const view = () => new DataView(memory.buffer);
  const bytes = () => new Uint8Array(memory.buffer);
  const encodedArgs = args.map((a) => new TextEncoder().encode(`${a}\0`));
  const files = new Map(); // fd → { data: Uint8Array, size, position }
  let written = null;
  let nextFd = PREOPEN_FD + 1;
  let stderr = "";

  const wasi = {
    args_sizes_get(countPtr, sizePtr) {
      view().setUint32(countPtr, encodedArgs.length, true);
      view().setUint32(
        sizePtr,
        encodedArgs.reduce((n, a) => n + a.length, 0),
        true,
      );
      return ERRNO_SUCCESS;
    },
    args_get(argvPtr, bufPtr) {
      let offset = bufPtr;
      encodedArgs.forEach((arg, i) => {
        view().setUint32(argvPtr + 4 * i, offset, true);
        bytes().set(arg, offset);
        offset += arg.length;
      });
      return ERRNO_SUCCESS;
    },
    clock_time_get(_id, _precision, timePtr) {
      view().setBigUint64(timePtr, process.hrtime.bigint(), true);
      return ERRNO_SUCCESS;
    },
    fd_close(fd) {
      const file = files.get(fd);
      if (file) written = file.data.slice(0, file.size);
      files.delete(fd);
      return ERRNO_SUCCESS;
    },
    fd_fdstat_get(fd, ptr) {
      const filetype = fd <= 2 ? 2 : fd === PREOPEN_FD ? 3 : files.has(fd) ? 4 : -1;
      if (filetype < 0) return ERRNO_BADF;
      const v = view();
      v.setUint8(ptr, filetype);
      v.setUint16(ptr + 2, 0, true);
      v.setBigUint64(ptr + 8, 0xffffffffffffffffn, true);
      v.setBigUint64(ptr + 16, 0xffffffffffffffffn, true);
      return ERRNO_SUCCESS;
    },
    fd_fdstat_set_flags() {
      return ERRNO_SUCCESS;
    },
    fd_prestat_get(fd, ptr) {
      if (fd !== PREOPEN_FD) return ERRNO_BADF;
      view().setUint8(ptr, 0);
      view().setUint32(ptr + 4, PREOPEN_NAME.length, true);
      return ERRNO_SUCCESS;
    },
    fd_prestat_dir_name(fd, ptr, len) {
      if (fd !== PREOPEN_FD) return ERRNO_BADF;
      bytes().set(PREOPEN_NAME.subarray(0, len), ptr);
      return ERRNO_SUCCESS;
    },
    fd_read(_fd, _iovs, _iovsLen, nreadPtr) {
      view().setUint32(nreadPtr, 0, true);
      return ERRNO_SUCCESS;
    },
    fd_seek(fd, offset, whence, newOffsetPtr) {
      const file = files.get(fd);
      if (!file) return ERRNO_BADF;
      const base = whence === 1 ? file.position : whence === 2 ? file.size : 0;
      file.position = Math.max(0, base + Number(offset));
      view().setBigUint64(newOffsetPtr, BigInt(file.position), true);
      return ERRNO_SUCCESS;
    },
    fd_write(fd, iovs, iovsLen, nwrittenPtr) {
      const v = view();
      let total = 0;
      for (let i = 0; i < iovsLen; i++) {
        const buf = v.getUint32(iovs + 8 * i, true);
        const len = v.getUint32(iovs + 8 * i + 4, true);
        const chunk = bytes().subarray(buf, buf + len);
        total += len;
        if (fd === 2) stderr += new TextDecoder().decode(chunk);
        const file = files.get(fd);
        if (!file) continue;
        const end = file.position + len;
        if (end > file.data.length) {
          const grown = new Uint8Array(Math.max(end, file.data.length * 2));
          grown.set(file.data.subarray(0, file.size));
          file.data = grown;
        }
        file.data.set(chunk, file.position);
        file.position = end;
        file.size = Math.max(file.size, end);
      }
      v.setUint32(nwrittenPtr, total, true);
      return fd <= 2 || files.has(fd) ? ERRNO_SUCCESS : ERRNO_BADF;
    },
    path_open(dirFd, _dirFlags, _pathPtr, _pathLen, oflags, _rightsBase, _rightsInheriting, _fdFlags, fdPtr) {
      // Only the output file is ever created; flite's voices and lexicons are compiled in.
      const create = (oflags & 1) !== 0;
      if (dirFd !== PREOPEN_FD || !create) return ERRNO_NOENT;
      const fd = nextFd++;
      files.set(fd, { data: new Uint8Array(1 << 16), size: 0, position: 0 });
      view().setUint32(fdPtr, fd, true);
      return ERRNO_SUCCESS;
    },
    proc_exit(code) {
      throw new ProcExit(code);
    },
  };

  const instance = new WebAssembly.Instance(module_, { wasi_snapshot_preview1: wasi });
  memory = instance.exports.memory;
  let code = 0;
  try {
    instance.exports._start();
  } catch (error) {
    if (!(error instanceof ProcExit)) throw error;
    code = error.code;
  }
  if (code !== 0) throw new Error(`flite exited with code ${code}: ${stderr.trim()}`);
  for (const file of files.values()) written = file.data.slice(0, file.size);
  if (!written) throw new Error("flite wrote no audio");
  return written;
}

function parseWav(buf) {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let rate = 16000;
  let offset = 12;
  while (offset + 8 <= buf.length) {
    const id = String.fromCharCode(...buf.subarray(offset, offset + 4));
    const size = v.getUint32(offset + 4, true);
    if (id === "fmt ") rate = v.getUint32(offset + 12, true);
    if (id === "data") {
      const length = Math.min(size, buf.length - offset - 8) >> 1;
      const pcm = new Int16Array(length);
      for (let i = 0; i < length; i++) pcm[i] = v.getInt16(offset + 8 + 2 * i, true);
      return { pcm, sampleRate: rate };
    }
    offset += 8 + size + (size & 1);
  }
  throw new Error("flite wrote no WAV data");
}

channel.on("message", ({ id, text, voice }) => {
  try {
    const audio = parseWav(runFlite(["flite", "-voice", voice, "-t", text, "/out/speech.wav"]));
    channel.postMessage({ id, ...audio }, [audio.pcm.buffer]);
  } catch (error) {
    channel.postMessage({ id, error: String(error?.message ?? error) });
  }
});
