package com.runbook.engine.definition;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One parsed {@code schedules/*.yaml} file. A file holds one schedule (a mapping) or several (a list of mappings).
 * Every problem is collected, each with the line and column of the offending key or value. {@code jobs} names the job
 * of every entry, valid or not, so that checks against routes/ still report an entry that has other problems.
 */
record ScheduleFile(Path path, String name, List<Schedule> schedules, List<JobRef> jobs, List<Problem> problems) {
    /**
     * The job an entry names and the entry's line, its schedule id (where it is written: the entry's start when it
     * defaults to the job) and its params.
     */
    record JobRef(String job, int line, String id, At idAt, List<Param> params) {
    }

    /** One {@code params:} entry: where its name and its value are written. */
    record Param(String name, String value, At nameAt, At valueAt) {
    }

    /** A line and column (1-based) in the file. */
    record At(int line, int column) {
    }

    static final Set<String> KEYS = Set.of("id", "job", "params", "cron", "every", "zone", "enabled", "misfire", "overlap",
            "timeout", "window", "description");
    private static final String KEY_LIST = "id, job, params, cron, every, zone, enabled, misfire, overlap, timeout, window, description";
    private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    static ScheduleFile parse(Path path, String name) {
        try {
            return parse(path, name, Files.readString(path, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new ScheduleFile(path, name, List.of(), List.of(), List.of(new Problem(name, 1, 1, "cannot read file: " + e.getMessage())));
        }
    }

    static ScheduleFile parse(Path path, String name, String text) {
        List<Problem> problems = new ArrayList<>();
        List<Schedule> schedules = new ArrayList<>();
        List<JobRef> jobs = new ArrayList<>();
        Optional<Node> root;
        try {
            LoadSettings settings = LoadSettings.builder().setLabel(name).build();
            root = new Composer(settings, new ParserImpl(settings, new StreamReader(settings, text))).getSingleNode();
        } catch (YamlEngineException e) {
            return new ScheduleFile(path, name, List.of(), List.of(), List.of(com.runbook.engine.definition.SourceText.problem(name, e)));
        }
        if (root.isEmpty()) {
            problems.add(new Problem(name, 1, 1, "file is empty: expected a schedule (a mapping with job and cron or every)"));
        } else if (root.get() instanceof MappingNode mapping) {
            entry(name, mapping, schedules, jobs, problems);
        } else if (root.get() instanceof SequenceNode list) {
            for (Node item : list.getValue()) {
                if (item instanceof MappingNode mapping) {
                    entry(name, mapping, schedules, jobs, problems);
                } else {
                    problems.add(problem(name, item, "each schedule must be a mapping with job and cron or every"));
                }
            }
        } else {
            problems.add(problem(name, root.get(), "expected a schedule (a mapping) or a list of schedules"));
        }
        return new ScheduleFile(path, name, List.copyOf(schedules), List.copyOf(jobs), List.copyOf(problems));
    }

    private static void entry(String name, MappingNode mapping, List<Schedule> out, List<JobRef> jobs,
                              List<Problem> problems) {
        int before = problems.size();
        Map<String, Node> values = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            String key = tuple.getKeyNode() instanceof ScalarNode s ? s.getValue() : null;
            if (key == null || !KEYS.contains(key)) {
                problems.add(problem(name, tuple.getKeyNode(), "unknown key '" + key + "' (expected one of: " + KEY_LIST + ")"));
            } else if (values.put(key, tuple.getValueNode()) != null) {
                problems.add(problem(name, tuple.getKeyNode(), "duplicate key '" + key + "'"));
            } else if (!(tuple.getValueNode() instanceof ScalarNode) && !"params".equals(key)) {
                problems.add(problem(name, tuple.getValueNode(), "'" + key + "' must be a single value"));
            }
        }
        String job = text(values.get("job"));
        int line = mapping.getStartMark().map(m -> m.getLine() + 1).orElse(1);
        String id = values.containsKey("id") ? text(values.get("id")) : job;
        if (values.containsKey("id") && (id == null || !ID.matcher(id).matches())) {
            problems.add(problem(name, values.get("id"), "schedule id '" + id + "' must be letters, digits, '.', '_' or '-'"
                    + " (it names the schedule in the API, the CLI and job_run)"));
        }
        Map<String, String> params = new LinkedHashMap<>();
        List<Param> paramRefs = params(name, values.get("params"), params, problems);
        if (job == null || job.isBlank()) {
            problems.add(problem(name, mapping, "schedule has no 'job' (the route id it runs)"));
        } else {
            jobs.add(new JobRef(job, line, id, at(values.containsKey("id") ? values.get("id") : mapping), paramRefs));
        }
        String cron = text(values.get("cron"));
        Duration every = null;
        if ((cron == null) == (values.get("every") == null)) {
            problems.add(problem(name, mapping, "schedule for '" + job + "' needs exactly one of 'cron' or 'every'"));
        }
        ZoneId zone = ZoneId.of("UTC");
        if (values.containsKey("zone")) {
            try {
                zone = ZoneId.of(text(values.get("zone")));
            } catch (DateTimeException e) {
                problems.add(problem(name, values.get("zone"), "unknown time zone '" + text(values.get("zone"))
                        + "' (use an IANA id such as UTC, America/New_York, Asia/Kolkata)"));
            }
        }
        if (cron != null) {
            cronProblem(cron, zone).ifPresent(p -> problems.add(problem(name, values.get("cron"), p)));
        }
        if (values.get("every") != null) {
            every = duration(name, values.get("every"), "every", problems);
        }
        boolean enabled = true;
        if (values.containsKey("enabled")) {
            String v = text(values.get("enabled"));
            if (!"true".equals(v) && !"false".equals(v)) {
                problems.add(problem(name, values.get("enabled"), "'enabled' must be true or false, not '" + v + "'"));
            }
            enabled = !"false".equals(v);
        }
        String misfire = choice(name, values.get("misfire"), "misfire", "fire-once-now", Set.of("fire-once-now", "skip"), problems);
        String overlap = choice(name, values.get("overlap"), "overlap", "skip", Set.of("skip", "queue"), problems);
        Duration timeout = values.containsKey("timeout") ? duration(name, values.get("timeout"), "timeout", problems) : null;
        Duration window = values.containsKey("window") ? duration(name, values.get("window"), "window", problems) : null;
        if (problems.size() == before) {
            out.add(new Schedule(job, cron, every, zone, enabled, misfire, overlap, timeout, window, name, line, id,
                    Map.copyOf(params)));
        }
    }

    /** The {@code params:} mapping (name: value, single values): its entries, with where each is written. */
    private static List<Param> params(String name, Node node, Map<String, String> params, List<Problem> problems) {
        List<Param> refs = new ArrayList<>();
        if (node == null) {
            return refs;
        }
        if (!(node instanceof MappingNode mapping)) {
            problems.add(problem(name, node, "'params' must be a mapping of parameter names to values"));
            return refs;
        }
        for (NodeTuple tuple : mapping.getValue()) {
            String key = text(tuple.getKeyNode());
            String value = text(tuple.getValueNode());
            if (key == null || value == null) {
                problems.add(problem(name, key == null ? tuple.getKeyNode() : tuple.getValueNode(),
                        "each of 'params' must be name: value (a single value)"));
            } else if (params.put(key, value) != null) {
                problems.add(problem(name, tuple.getKeyNode(), "duplicate parameter '" + key + "'"));
            } else {
                refs.add(new Param(key, value, at(tuple.getKeyNode()), at(tuple.getValueNode())));
            }
        }
        return refs;
    }

    private static At at(Node node) {
        return new At(node.getStartMark().map(m -> m.getLine() + 1).orElse(1),
                node.getStartMark().map(m -> m.getColumn() + 1).orElse(1));
    }

    /** Why a Quartz cron expression is unusable, if it is. */
    static Optional<String> cronProblem(String cron, ZoneId zone) {
        try {
            if (!Crons.parsed(cron, zone).firesAfter(new Date())) {
                return Optional.of("cron '" + cron + "' never fires");
            }
            return Optional.empty();
        } catch (ParseException | RuntimeException e) {
            return Optional.of("invalid cron '" + cron + "': " + e.getMessage()
                    + " (Quartz syntax: sec min hour day-of-month month day-of-week [year])");
        }
    }

    private static Duration duration(String name, Node node, String key, List<Problem> problems) {
        try {
            return Durations.parse(text(node));
        } catch (IllegalArgumentException e) {
            problems.add(problem(name, node, "'" + key + "': " + e.getMessage()));
            return null;
        }
    }

    private static String choice(String name, Node node, String key, String dflt, Set<String> allowed,
                                 List<Problem> problems) {
        if (node == null) {
            return dflt;
        }
        String v = text(node);
        if (!allowed.contains(v)) {
            problems.add(problem(name, node, "'" + key + "' must be one of " + String.join(" | ", allowed.stream().sorted().toList())
                    + ", not '" + v + "'"));
            return dflt;
        }
        return v;
    }

    private static String text(Node node) {
        return node instanceof ScalarNode s ? s.getValue() : null;
    }

    private static Problem problem(String name, Node node, String message) {
        int line = node.getStartMark().map(m -> m.getLine() + 1).orElse(1);
        int column = node.getStartMark().map(m -> m.getColumn() + 1).orElse(1);
        return new Problem(name, line, column, message);
    }
}
