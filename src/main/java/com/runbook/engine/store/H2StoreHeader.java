package com.runbook.engine.store;

import org.h2.mvstore.DataUtils;
import org.h2.store.fs.FileBase;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Keeps the store header of an embedded H2 file on the newest chunk, so that a killed process reopens at its last
 * commit. URL prefix {@value #SCHEME}: (before {@code retry:}), registered by {@link Database}.
 * <p>
 * H2's MVStore appends every commit as a chunk, in a free hole of the file when there is one. At open after a crash it
 * looks for the newest chunk in three places only: the chunk the store header names, the chunk at the end of the file,
 * and the chain of "next" positions each chunk predicts for its successor. When a chunk goes to a hole that its
 * predecessor did not predict, H2 rewrites the header for it, but H2 2.2 to 2.5 write the header before they record the
 * new chunk as the last one ({@code FileStore.storeBuffer}: {@code writeChunk(c, buff); lastChunk = c;}, and
 * {@code RandomAccessStore.writeStoreHeader} names {@code lastChunk}), so the header names the chunk before it. That
 * chunk, and every chunk chained after it, is then invisible to recovery until a later header write: H2 reopens at an
 * older commit, and acknowledged writes are gone (replayed write by write with H2's own recording file
 * system, bench/HISTORY.md). The more space H2 reuses (compaction frees holes), the more often it happens.
 * <p>
 * This wrapper sees every write of the {@code .mv.db} file: it reads the id, version and block of each chunk written
 * (the chunk's own header line) and, once the chunk is complete in the file, writes the store header naming it before
 * the write returns; a store header H2 writes itself is rewritten to name the newest chunk too. So whenever a commit
 * returns, the header names its chunk (or a newer one), and recovery starts there. A chunk H2 moves (compaction) keeps
 * its id and version: the header follows the copy. The file format is H2's own (any H2 tool reads it).
 */
public final class H2StoreHeader extends FilePathWrapper {
    /** The URL prefix, e.g. {@code jdbc:h2:rbheader:retry:./data/runbook}. */
    static final String SCHEME = "rbheader";
    private static final int BLOCK = 4096;
    private static final int MAX_CHUNK_HEADER = 1024;
    private static volatile boolean registered;

    /** Registers the prefix with H2 (once per JVM). */
    public static void register() {
        if (!registered) {
            synchronized (H2StoreHeader.class) {
                if (!registered) {
                    FilePath.register(new H2StoreHeader());
                    registered = true;
                }
            }
        }
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public FileChannel open(String mode) throws IOException {
        FileChannel base = getBase().open(mode);
        return name.endsWith(".mv.db") && !mode.equals("r") ? new HeaderChannel(base) : base;
    }

    /** A chunk as its header line gives it, at the block where it was written. */
    record Chunk(int id, long version, long block) {
    }

    /** Parses a chunk header line at the start of {@code data}; null when the data does not start a chunk. */
    static Chunk chunkAt(ByteBuffer data, long position) {
        if (position < 2 * BLOCK || position % BLOCK != 0 || data.remaining() < BLOCK) {
            return null;
        }
        String line = line(data, MAX_CHUNK_HEADER);
        if (line == null || !line.startsWith("chunk:")) {
            return null;
        }
        try {
            Map<String, String> map = DataUtils.parseMap(line);
            int id = (int) DataUtils.readHexLong(map, "chunk", -1);
            long len = DataUtils.readHexLong(map, "len", 0);
            if (id < 0 || len * BLOCK != data.remaining()) {
                return null;
            }
            return new Chunk(id, DataUtils.readHexLong(map, "version", id), position / BLOCK);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The store header's fields from its first block, checksum verified; null when it is not a valid header. */
    static HashMap<String, String> header(ByteBuffer data) {
        String line = line(data, BLOCK);
        int at = line == null ? -1 : line.lastIndexOf(",fletcher:");
        if (at < 0) {
            return null;
        }
        try {
            byte[] checked = line.substring(0, at).getBytes(StandardCharsets.ISO_8859_1);
            HashMap<String, String> map = DataUtils.parseMap(line);
            if (DataUtils.getFletcher32(checked, 0, checked.length) != (int) DataUtils.readHexLong(map, "fletcher", 0)) {
                return null;
            }
            map.remove("fletcher");
            return map;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The store header H2 would write for {@code fields}: both blocks, with its Fletcher checksum. */
    static ByteBuffer headerBytes(Map<String, String> fields) {
        StringBuilder buff = new StringBuilder(160);
        fields.forEach((k, v) -> DataUtils.appendMap(buff, k, v));
        byte[] bytes = buff.toString().getBytes(StandardCharsets.ISO_8859_1);
        DataUtils.appendMap(buff, "fletcher", DataUtils.getFletcher32(bytes, 0, bytes.length));
        buff.append('\n');
        bytes = buff.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer header = ByteBuffer.allocate(2 * BLOCK);
        header.put(bytes);
        header.position(BLOCK);
        header.put(bytes);
        header.rewind();
        return header;
    }

    private static String line(ByteBuffer data, int max) {
        int start = data.position();
        int end = Math.min(data.limit(), start + max);
        for (int i = start; i < end; i++) {
            if (data.get(i) == '\n') {
                byte[] b = new byte[i - start];
                data.duplicate().get(b);
                return new String(b, StandardCharsets.ISO_8859_1).trim();
            }
        }
        return null;
    }

    /** The file channel that keeps the header on the newest chunk; all writes are serialized on it. */
    static final class HeaderChannel extends FileBase {
        private final FileChannel base;
        /** The fields of the last valid header written or read, null before the first. */
        private HashMap<String, String> fields;
        private Chunk newest;

        HeaderChannel(FileChannel base) {
            this.base = base;
        }

        @Override
        public synchronized int write(ByteBuffer src, long position) throws IOException {
            int length = src.remaining();
            if (position == 0 && length == 2 * BLOCK) {
                HashMap<String, String> written = header(src);
                if (written != null) {
                    fields = written;
                    writeFully(headerBytes(onNewest(written)), 0);
                    src.position(src.limit());
                    return length;
                }
            }
            Chunk chunk = chunkAt(src, position);
            writeFully(src, position);
            if (chunk != null && (newest == null || chunk.version() > newest.version()
                    || chunk.version() == newest.version() && chunk.id() == newest.id())) {
                newest = chunk;
                HashMap<String, String> current = fields != null ? fields : readHeader();
                if (current != null) {
                    fields = current;
                    writeFully(headerBytes(onNewest(current)), 0);
                }
            }
            return length;
        }

        /** {@code header} naming the newest chunk written, unless it names a newer one already. */
        private Map<String, String> onNewest(HashMap<String, String> header) {
            if (newest == null || DataUtils.readHexLong(header, "version", 0) > newest.version()) {
                return header;
            }
            HashMap<String, String> fixed = new HashMap<>(header);
            fixed.put("chunk", Integer.toHexString(newest.id()));
            fixed.put("block", Long.toHexString(newest.block()));
            fixed.put("version", Long.toHexString(newest.version()));
            if (DataUtils.readHexLong(header, "version", 0) != newest.version()) {
                fixed.remove("clean");
            }
            return fixed;
        }

        private HashMap<String, String> readHeader() throws IOException {
            for (int block = 0; block < 2; block++) {
                ByteBuffer b = ByteBuffer.allocate(BLOCK);
                while (b.hasRemaining() && base.read(b, (long) block * BLOCK + b.position()) > 0) {
                    // read the whole block
                }
                b.flip();
                HashMap<String, String> h = header(b);
                if (h != null) {
                    return h;
                }
            }
            return null;
        }

        private void writeFully(ByteBuffer src, long position) throws IOException {
            long at = position;
            while (src.hasRemaining()) {
                at += base.write(src, at);
            }
        }

        @Override
        public synchronized int write(ByteBuffer src) throws IOException {
            int n = write(src, base.position());
            base.position(base.position() + n);
            return n;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return base.read(dst);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return base.read(dst, position);
        }

        @Override
        public long position() throws IOException {
            return base.position();
        }

        @Override
        public FileChannel position(long pos) throws IOException {
            base.position(pos);
            return this;
        }

        @Override
        public long size() throws IOException {
            return base.size();
        }

        @Override
        public synchronized FileChannel truncate(long size) throws IOException {
            if (newest != null && newest.block() * BLOCK >= size) {
                newest = null;
            }
            base.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            base.force(metaData);
        }

        @Override
        public synchronized FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return base.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            base.close();
        }
    }
}
