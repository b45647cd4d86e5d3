package com.runbook.engine.store;

import org.h2.api.ErrorCode;
import com.zaxxer.hikari.HikariDataSource;
import org.h2.store.fs.Recorder;
import org.h2.store.fs.rec.FilePathRec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A SIGKILL leaves in the file exactly the writes that returned before it (they are in the OS's page cache). So a
 * kill at every moment can be replayed: record every write of an H2 file (H2's own recording file system, {@code
 * rec:}) while commits run with the engine's compaction (which makes H2 reuse holes of the file), then rebuild the
 * file as it was after write k, open it as the engine would after the kill, and check that every commit acknowledged
 * before write k+1 is there. Through {@link H2StoreHeader} none is lost. Without it H2 2.5 loses commits (its store
 * header names the chunk before the newest): 156 of 301 replayed moments on a loaded machine (bench/HISTORY.md); how
 * often depends on where H2 happens to put its chunks, so that control is a measurement, not a test (on a quiet
 * machine a recording of 80 moments showed no loss without the fix, and a test that expects a loss would flake).
 */
class H2StoreHeaderTest {
    /** Crash points replayed per recording. */
    static final int POINTS = 80;
    /** Chunks written into reused space of the file before the recording stops. */
    static final int HOLE_WRITES = 150;
    @TempDir
    Path dir;
    private DataOutputStream log;
    private final AtomicInteger holeWrites = new AtomicInteger();
    private long fileEnd;

    @AfterEach
    void stopRecording() {
        FilePathRec.setRecorder(null);
    }

    /** Log entries: 1 write (position, bytes), 2 truncate (size), 3 a commit of rows first..first+4 acknowledged. */
    private synchronized void logged(int type, long position, byte[] data) {
        try {
            log.writeByte(type);
            log.writeLong(position);
            log.writeInt(data == null ? 0 : data.length);
            if (data != null) {
                log.write(data);
                if (position + data.length < fileEnd && position >= 8192) {
                    holeWrites.incrementAndGet();
                }
                fileEnd = Math.max(fileEnd, position + data.length);
            } else if (type == 2) {
                fileEnd = position;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs commits (5 rows each, 2 writers, an updater) with the engine's compaction; returns the log file. */
    private Path record(String prefix) throws Exception {
        Path logFile = dir.resolve(prefix.replace(":", "") + "ops.log");
        log = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(logFile), 1 << 20));
        FilePathRec.register();
        FilePathRec.setRecorder((op, fileName, data, x) -> {
            if (fileName.endsWith(".mv.db") && (op == Recorder.WRITE || op == Recorder.TRUNCATE)) {
                logged(op == Recorder.WRITE ? 1 : 2, x, data);
            }
        });
        String url = "jdbc:h2:" + prefix + "rec:" + dir.resolve(prefix.replace(":", "") + "db")
                + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong next = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        try (HikariDataSource ds = Database.pool("recorded", url, "sa", "", 4)) {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("create table ev (id bigint primary key, body varchar(200))");
                s.execute("create table nt (id bigint primary key, status varchar(10), body varchar(200))");
                s.execute("create index nt_status on nt (status)");
            }
            // the engine's compaction; it runs only through the header fix, so without it the same step is started here
            Optional<H2Housekeeping> housekeeping = H2Housekeeping.startIfNeeded(ds, Duration.ofMillis(100));
            H2Housekeeping started = housekeeping.orElseGet(() -> H2Housekeeping.startUnchecked(ds, Duration.ofMillis(100)));
            String body = "x".repeat(150);
            for (int w = 0; w < 2; w++) {
                threads.add(new Thread(() -> {
                    try (Connection c = ds.getConnection();
                         PreparedStatement ev = c.prepareStatement("insert into ev values (?, ?)");
                         PreparedStatement nt = c.prepareStatement("insert into nt values (?, 'pending', ?)")) {
                        c.setAutoCommit(false);
                        while (running.get()) {
                            long first = next.getAndAdd(5) + 1;
                            for (long id = first; id < first + 5; id++) {
                                ev.setLong(1, id);
                                ev.setString(2, body);
                                ev.executeUpdate();
                                nt.setLong(1, id);
                                nt.setString(2, body);
                                nt.executeUpdate();
                            }
                            c.commit();
                            logged(3, first, null);
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            threads.add(new Thread(() -> {
                try (Connection c = ds.getConnection(); PreparedStatement sent = c.prepareStatement(
                        "update nt set status = 'sent' where id in (select id from nt where status = 'pending' limit 20)")) {
                    while (running.get()) {
                        sent.executeUpdate();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
            threads.forEach(Thread::start);
            await().atMost(Duration.ofSeconds(180)).until(() -> holeWrites.get() >= HOLE_WRITES);
            running.set(false);
            for (Thread t : threads) {
                t.join();
            }
            started.close(Duration.ZERO);
            FilePathRec.setRecorder(null);
        }
        synchronized (this) {
            log.close();
        }
        return logFile;
    }

    private record Entry(int type, long position, byte[] data) {
    }

    private static List<Entry> read(Path logFile) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(logFile), 1 << 20))) {
            while (true) {
                int type;
                try {
                    type = in.readByte();
                } catch (EOFException end) {
                    return entries;
                }
                long position = in.readLong();
                byte[] data = new byte[in.readInt()];
                in.readFully(data);
                entries.add(new Entry(type, position, type == 1 ? data : null));
            }
        }
    }

    /**
     * Replays the log: after each sampled write k, opens a copy of the file as it was then and returns the crash
     * points whose reopened database misses a commit acknowledged before write k+1 (stops at {@code stopAfter}).
     */
    private List<String> losses(Path logFile, int stopAfter) throws Exception {
        List<Entry> entries = read(logFile);
        List<Integer> writes = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).type() != 3) {
                writes.add(i);
            }
        }
        Random random = new Random(20);
        BitSet points = new BitSet();
        while (points.cardinality() < Math.min(POINTS, writes.size())) {
            points.set(writes.get(random.nextInt(writes.size())));
        }
        points.set(writes.get(writes.size() - 1));
        Path work = dir.resolve("work.mv.db");
        Files.deleteIfExists(work);
        BitSet acked = new BitSet();
        List<String> lost = new ArrayList<>();
        try (FileChannel file = FileChannel.open(work, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int i = 0; i < entries.size() && lost.size() < stopAfter; i++) {
                Entry e = entries.get(i);
                switch (e.type()) {
                    case 1 -> file.write(ByteBuffer.wrap(e.data()), e.position());
                    case 2 -> file.truncate(e.position());
                    default -> acked.set((int) e.position(), (int) e.position() + 5);
                }
                if (!points.get(i)) {
                    continue;
                }
                BitSet ackedThen = (BitSet) acked.clone();
                for (int j = i + 1; j < entries.size() && entries.get(j).type() == 3; j++) {
                    ackedThen.set((int) entries.get(j).position(), (int) entries.get(j).position() + 5);
                }
                Path copy = Files.createTempDirectory(dir, "crash");
                Files.copy(work, copy.resolve("db.mv.db"), StandardCopyOption.REPLACE_EXISTING);
                BitSet found = new BitSet();
                try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + copy.resolve("db"), "sa", "");
                     Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select id from ev")) {
                    while (rs.next()) {
                        found.set((int) rs.getLong(1));
                    }
                } catch (SQLException missing) {
                    // a kill before the table's creation reached the file: nothing of it is there (a loss only if
                    // commits were acknowledged by then, which the check below sees)
                    if (missing.getErrorCode() != ErrorCode.TABLE_OR_VIEW_NOT_FOUND_1
                            && missing.getErrorCode() != ErrorCode.TABLE_OR_VIEW_NOT_FOUND_DATABASE_EMPTY_1) {
                        throw missing;
                    }
                }
                ackedThen.andNot(found);
                if (!ackedThen.isEmpty()) {
                    lost.add("kill after write " + i + ": " + ackedThen.cardinality() + " acknowledged rows missing");
                }
                try (var files = Files.list(copy)) {
                    for (Path f : files.toList()) {
                        Files.delete(f);
                    }
                }
                Files.delete(copy);
            }
        }
        return lost;
    }

    @Test
    void aKillAfterAnyWriteKeepsEveryAcknowledgedCommitThroughTheHeaderFix() throws Exception {
        Path recorded = record(H2StoreHeader.SCHEME + ":");
        assertThat(losses(recorded, POINTS)).isEmpty();
    }
}
