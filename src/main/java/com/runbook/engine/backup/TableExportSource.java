package com.runbook.engine.backup;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.sql.DataSource;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * Selected tables exported as gzip-compressed JSON lines, one object per row: {@code {"table":"trades","row":{...}}},
 * read with a forward-only cursor and written through a pipe, so neither a table nor the export is held in memory.
 * The Sunday maintenance backs up the critical tables this way.
 */
record TableExportSource(String name, Supplier<DataSource> dataSource, List<String> tables) implements BackupSource {
    static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");
    private static final ObjectMapper JSON = new ObjectMapper();

    public TableExportSource {
        if (tables.isEmpty()) {
            throw new IllegalArgumentException("backup source " + name + " lists no tables");
        }
        for (String t : tables) {
            requireIdentifier(t, "table name");
        }
    }

    /** Reads no row of each table: the database answers and has them. */
    @Override
    public void check() throws Exception {
        try (Connection c = dataSource.get().getConnection(); Statement s = c.createStatement()) {
            for (String t : tables) {
                s.executeQuery("select * from " + t + " where 1 = 0").close();
            }
        }
    }

    static String requireIdentifier(String value, String what) {
        if (!IDENTIFIER.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid " + what + " '" + value + "'");
        }
        return value;
    }

    @Override
    public String extension() {
        return "jsonl.gz";
    }

    @Override
    public Dump open() throws Exception {
        DataSource ds = dataSource.get();
        return PipeDump.start(name, out -> {
            try (Connection c = ds.getConnection(); GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16);
                 JsonGenerator json = JSON.getFactory().createGenerator((OutputStream) gz)) {
                json.setRootValueSeparator(new com.fasterxml.jackson.core.io.SerializedString("\n"));
                c.setReadOnly(true);
                c.setAutoCommit(false);   // PostgreSQL streams with a fetch size only inside a transaction
                for (String table : tables) {
                    try (Statement s = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
                        s.setFetchSize(1000);
                        try (ResultSet rs = s.executeQuery("select * from " + table)) {
                            ResultSetMetaData md = rs.getMetaData();
                            while (rs.next()) {
                                json.writeStartObject();
                                json.writeStringField("table", table);
                                json.writeObjectFieldStart("row");
                                for (int i = 1; i <= md.getColumnCount(); i++) {
                                    Object v = rs.getObject(i);
                                    json.writeFieldName(md.getColumnLabel(i).toLowerCase());
                                    if (v == null) {
                                        json.writeNull();
                                    } else if (v instanceof Number || v instanceof Boolean) {
                                        json.writeObject(v);
                                    } else {
                                        json.writeString(v.toString());
                                    }
                                }
                                json.writeEndObject();
                                json.writeEndObject();
                            }
                        }
                    }
                }
                json.writeRaw('\n');
                json.flush();
                c.commit();
            }
        });
    }
}
