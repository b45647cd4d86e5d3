package com.runbook.engine.routes;

import com.runbook.engine.params.Parameters;
import com.runbook.engine.params.ScheduleParams;
import com.runbook.engine.schedule.Schedule;
import com.runbook.engine.schedule.ScheduleFile;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SetHeaderDefinition;
import org.apache.camel.model.language.ConstantExpression;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The runbook files in force: what {@code routes/} and {@code schedules/} held when each was last loaded
 * successfully. A change to one file is validated against the others in force and applied whole, or refused
 * with the previous version left running.
 */
public class Runbooks {
    public static final String ROUTE_SUFFIX = ".camel.yaml";
    /** The route that gives each firing alert its priority and runbook (the engine calls it; see AlertIntake). */
    public static final String ALERT_ROUTING = "alert-routing";
    private static final Logger LOG = LoggerFactory.getLogger(Runbooks.class);

    /** Applies schedule changes to the running scheduler. */
    public interface ScheduleTarget {
        void apply(List<Schedule> remove, List<Schedule> add) throws Exception;
    }

    private final Path base;
    private final CamelContext context;
    private final ScheduleTarget scheduler;
    private final Map<Path, RouteFile> routeFiles = new TreeMap<>();
    private final Map<Path, ScheduleFile> scheduleFiles = new TreeMap<>();
    private volatile ReloadOutcome lastOutcome;
    /** Each job's declared parameters, replaced whole when route files change: read on every run, never locked. */
    private volatile Map<String, Parameters> parameters = Map.of();

    public Runbooks(Path base, CamelContext context, ScheduleTarget scheduler) {
        this.base = base.toAbsolutePath().normalize();
        this.context = context;
        this.scheduler = scheduler;
    }

    public Path routesDir() {
        return base.resolve("routes");
    }

    public Path schedulesDir() {
        return base.resolve("schedules");
    }

    /** Every problem in the folders under {@code base}, without starting anything. */
    public static List<Problem> validate(CamelContext context, Path base) {
        Path dir = base.toAbsolutePath().normalize();
        Map<Path, RouteFile> routes = new TreeMap<>();
        Map<Path, ScheduleFile> schedules = new TreeMap<>();
        List<Problem> problems = new ArrayList<>();
        for (Path p : files(dir.resolve("routes"), ROUTE_SUFFIX)) {
            RouteFile f = RouteFile.parse(context, p, display(dir, p));
            routes.put(p, f);
            problems.addAll(f.problems());
        }
        for (Path p : files(dir.resolve("schedules"), ".yaml")) {
            ScheduleFile f = ScheduleFile.parse(p, display(dir, p));
            schedules.put(p, f);
            problems.addAll(f.problems());
        }
        problems.addAll(crossCheck(routes, schedules));
        return problems.stream().sorted().toList();
    }

    /** Problems between files: duplicate route ids, schedules for jobs that have no route, a job scheduled twice. */
    static List<Problem> crossCheck(Map<Path, RouteFile> routes, Map<Path, ScheduleFile> schedules) {
        List<Problem> problems = new ArrayList<>();
        // the first definition of each id; its line is looked up only for a duplicate (a look-up scans the file)
        Map<String, Map.Entry<RouteFile, RouteDefinition>> firstSeen = new HashMap<>();
        Map<String, RouteDefinition> jobs = new HashMap<>();
        Map<String, Parameters> declared = new HashMap<>();
        for (RouteFile f : routes.values()) {
            for (RouteDefinition r : f.routes()) {
                String id = r.getRouteId();
                if (id == null) {
                    continue;
                }
                Map.Entry<RouteFile, RouteDefinition> other = firstSeen.putIfAbsent(id, Map.entry(f, r));
                if (other != null) {
                    problems.add(new Problem(f.name(), f.lineOf(r), 1, "duplicate route id '" + id + "' (first defined at "
                            + other.getKey().name() + ":" + other.getKey().lineOf(other.getValue()) + ")"));
                } else if (RouteFile.isJob(r)) {
                    jobs.put(id, r);
                    if (f.isValid()) {   // an invalid declaration is reported in its own file, not in every schedule
                        declared.put(id, f.parameters());
                    }
                }
            }
        }
        problems.addAll(routedRunbooks(routes, jobs.keySet()));
        for (ScheduleFile f : schedules.values()) {
            for (ScheduleFile.JobRef s : f.jobs()) {   // every entry's job, also of entries with other problems
                if (!jobs.containsKey(s.job())) {
                    problems.add(new Problem(f.name(), s.line(), 1,
                            "schedule names job '" + s.job() + noSuchJob(s.job())));
                }
            }
        }
        problems.addAll(ScheduleParams.check(declared, schedules.values()));
        return problems;
    }

    /** Every {@code runbook} header that {@code alert-routing} sets to a constant must name a job. */
    private static List<Problem> routedRunbooks(Map<Path, RouteFile> routes, Set<String> jobs) {
        List<Problem> problems = new ArrayList<>();
        for (RouteFile f : routes.values()) {
            for (RouteDefinition r : f.routes()) {
                if (!ALERT_ROUTING.equals(r.getRouteId())) {
                    continue;
                }
                Collection<SetHeaderDefinition> sets =
                        ProcessorDefinitionHelper.filterTypeInOutputs(r.getOutputs(), SetHeaderDefinition.class);
                for (SetHeaderDefinition set : sets) {
                    if ("runbook".equals(set.getName()) && set.getExpression() instanceof ConstantExpression c
                            && !jobs.contains(c.getExpression())) {
                        problems.add(f.at(set, c.getExpression(), "alert-routing sets runbook '" + c.getExpression()
                                + noSuchJob(c.getExpression())));
                    }
                }
            }
        }
        return problems;
    }

    /** The end of a message about a name that should be a job's (a schedule's, a routed runbook's) and is not. */
    private static String noSuchJob(String job) {
        return "' but no route in routes/ has that id and reads from direct:" + job;
    }

    /** Loads every valid file at start; invalid ones are reported, left out, and returned. */
    public synchronized List<ReloadOutcome> loadAll() throws Exception {
        List<ReloadOutcome> refused = new ArrayList<>();
        Map<Path, RouteFile> routes = new TreeMap<>();
        for (Path p : files(routesDir(), ROUTE_SUFFIX)) {
            RouteFile f = RouteFile.parse(context, p, display(base, p));
            if (f.isValid()) {
                routes.put(p, f);
            } else {
                refused.add(record(ReloadOutcome.refused(f.name(), f.problems())));
            }
        }
        Map<Path, ScheduleFile> schedules = new TreeMap<>();
        for (Path p : files(schedulesDir(), ".yaml")) {
            ScheduleFile f = ScheduleFile.parse(p, display(base, p));
            if (f.problems().isEmpty()) {
                schedules.put(p, f);
            } else {
                refused.add(record(ReloadOutcome.refused(f.name(), f.problems())));
            }
        }
        // a problem between files refuses the file it is reported in; repeat until the rest is consistent
        for (List<Problem> cross = crossCheck(routes, schedules); !cross.isEmpty(); cross = crossCheck(routes, schedules)) {
            Map<String, List<Problem>> byFile = cross.stream().collect(Collectors.groupingBy(Problem::file, TreeMap::new, Collectors.toList()));
            byFile.forEach((file, problems) -> refused.add(record(ReloadOutcome.refused(file, problems))));
            routes.values().removeIf(f -> byFile.containsKey(f.name()));
            schedules.values().removeIf(f -> byFile.containsKey(f.name()));
        }
        // one batch: adding routes file by file made Camel, for every route added, gather the endpoints of every
        // route already there (AbstractCamelContext.removeRoute, called even for a new id), which is slower still
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        try {
            model.addRouteDefinitions(routes.values().stream().flatMap(f -> f.routes().stream()).toList());
            routeFiles.putAll(routes);
        } catch (Exception e) {
            // one file's routes would not start: add the files one by one so only the culprit is left out
            removeRoutes(routes.values().stream().flatMap(f -> f.routeIds().stream()).toList());
            routes.keySet().forEach(p -> {
                ReloadOutcome o = reloadRoutes(p);
                if ("refused".equals(o.status())) {
                    refused.add(o);
                }
            });
            Map<String, String> jobs = jobs();
            schedules.values().removeIf(f -> f.schedules().stream().anyMatch(s -> !jobs.containsKey(s.job())));
        }
        parameters = declaredParameters();
        scheduler.apply(List.of(), schedules.values().stream().flatMap(f -> f.schedules().stream()).toList());
        scheduleFiles.putAll(schedules);
        LOG.info("Loaded {} route file(s) with {} route(s) and {} schedule file(s)", routeFiles.size(),
                routeFiles.values().stream().mapToInt(f -> f.routes().size()).sum(), scheduleFiles.size());
        return refused;
    }

    /** Reloads one changed, added or deleted file; see the class comment. */
    public synchronized ReloadOutcome reload(Path file) {
        Path p = file.toAbsolutePath().normalize();
        if (p.getParent().equals(routesDir()) && p.getFileName().toString().endsWith(ROUTE_SUFFIX)) {
            return reloadRoutes(p);
        }
        if (p.getParent().equals(schedulesDir()) && p.getFileName().toString().endsWith(".yaml")) {
            return reloadSchedules(p);
        }
        return null;
    }

    private ReloadOutcome reloadRoutes(Path p) {
        String name = display(base, p);
        RouteFile candidate = Files.exists(p) ? RouteFile.parse(context, p, name) : null;
        if (candidate != null && !candidate.isValid()) {
            return record(ReloadOutcome.refused(name, candidate.problems()));
        }
        Map<Path, RouteFile> next = new TreeMap<>(routeFiles);
        if (candidate == null) {
            next.remove(p);
        } else {
            next.put(p, candidate);
        }
        List<Problem> cross = crossCheck(next, scheduleFiles);
        if (!cross.isEmpty()) {
            return record(ReloadOutcome.refused(name, cross));
        }
        RouteFile old = routeFiles.get(p);
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        try {
            if (old != null) {
                removeRoutes(old.routeIds());
            }
            if (candidate != null) {
                model.addRouteDefinitions(candidate.routes());
            }
        } catch (Exception e) {
            Problem problem = SourceText.problem(name, e);
            try {
                if (candidate != null) {
                    removeRoutes(candidate.routeIds());
                }
                if (old != null) {
                    model.addRouteDefinitions(RouteFile.parse(context, p, name, old.text()).routes());
                }
            } catch (Exception rollback) {
                LOG.error("Could not restore the previous version of {}", name, rollback);
            }
            return record(ReloadOutcome.refused(name, List.of(problem)));
        }
        if (candidate == null) {
            routeFiles.remove(p);
        } else {
            routeFiles.put(p, candidate);
        }
        parameters = declaredParameters();
        LOG.info("Loaded {}: routes {}", name, candidate == null ? "(removed)" : candidate.routeIds());
        return record(ReloadOutcome.applied(name));
    }

    private void removeRoutes(List<String> ids) throws Exception {
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        for (String id : ids) {
            RouteDefinition def = model.getRouteDefinition(id);
            if (def != null) {
                model.removeRouteDefinition(def);
            }
            context.getRouteController().stopRoute(id);
            context.removeRoute(id);
        }
    }

    private ReloadOutcome reloadSchedules(Path p) {
        String name = display(base, p);
        ScheduleFile candidate = Files.exists(p) ? ScheduleFile.parse(p, name) : null;
        if (candidate != null && !candidate.problems().isEmpty()) {
            return record(ReloadOutcome.refused(name, candidate.problems()));
        }
        Map<Path, ScheduleFile> next = new TreeMap<>(scheduleFiles);
        if (candidate == null) {
            next.remove(p);
        } else {
            next.put(p, candidate);
        }
        List<Problem> cross = crossCheck(routeFiles, next);
        if (!cross.isEmpty()) {
            return record(ReloadOutcome.refused(name, cross));
        }
        ScheduleFile old = scheduleFiles.get(p);
        List<Schedule> remove = old == null ? List.of() : old.schedules();
        List<Schedule> add = candidate == null ? List.of() : candidate.schedules();
        try {
            scheduler.apply(remove, add);
        } catch (Exception e) {
            try {
                scheduler.apply(add, remove);
            } catch (Exception rollback) {
                LOG.error("Could not restore the previous schedules of {}", name, rollback);
            }
            return record(ReloadOutcome.refused(name, List.of(SourceText.problem(name, e))));
        }
        if (candidate == null) {
            scheduleFiles.remove(p);
        } else {
            scheduleFiles.put(p, candidate);
        }
        LOG.info("Loaded {}: schedules for {}", name, add.stream().map(Schedule::job).toList());
        return record(ReloadOutcome.applied(name));
    }

    private ReloadOutcome record(ReloadOutcome outcome) {
        lastOutcome = outcome;
        if ("refused".equals(outcome.status())) {
            outcome.problems().forEach(problem -> LOG.error("Refused {}: {}", outcome.file(), problem));
        }
        return outcome;
    }

    public ReloadOutcome lastOutcome() {
        return lastOutcome;
    }

    /** Job id → the file that defines it, for every job route in force. */
    public synchronized Map<String, String> jobs() {
        Map<String, String> jobs = new TreeMap<>();
        routeFiles.values().forEach(f -> f.routes().stream().filter(RouteFile::isJob)
                .forEach(r -> jobs.put(r.getRouteId(), f.name())));
        return jobs;
    }

    /** The parameters {@code job} declares ({@link Parameters#UNDECLARED} for none or no such job). */
    public Parameters parametersOf(String job) {
        return parameters.getOrDefault(job, Parameters.UNDECLARED);
    }

    private Map<String, Parameters> declaredParameters() {
        Map<String, Parameters> declared = new HashMap<>();
        routeFiles.values().forEach(f -> f.routes().stream().filter(RouteFile::isJob)
                .forEach(r -> declared.put(r.getRouteId(), f.parameters())));
        return Map.copyOf(declared);
    }

    public synchronized Optional<Schedule> scheduleOf(String job) {
        return scheduleFiles.values().stream().flatMap(f -> f.schedules().stream())
                .filter(s -> s.job().equals(job)).findFirst();
    }

    public synchronized List<Schedule> schedules() {
        return scheduleFiles.values().stream().flatMap(f -> f.schedules().stream()).toList();
    }

    static String display(Path base, Path file) {
        return base.relativize(file.toAbsolutePath().normalize()).toString().replace('\\', '/');
    }

    static List<Path> files(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().endsWith(suffix)).map(f -> f.toAbsolutePath().normalize())
                    .sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + dir, e);
        }
    }
}
