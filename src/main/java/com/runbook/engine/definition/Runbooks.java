package com.runbook.engine.definition;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SendDefinition;
import org.apache.camel.model.ToDynamicDefinition;
import org.apache.camel.model.SetHeaderDefinition;
import org.apache.camel.model.language.ConstantExpression;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The runbook files in {@code routes/} and {@code schedules/}. At start and after every change the whole set on disk
 * is decided on at once, independent of file order: a file is refused for its own problems, or because a file it
 * depends on (the job a schedule or the alert routing names) is refused; every other file is applied. A refused file
 * that was applied before keeps its previous version running when the rest still agrees with it. What runs is then
 * exactly what the folders say, once they are valid. Every file's state is kept for the API, the console, health,
 * metrics and incidents (see {@link #states()}).
 */
public class Runbooks {
    static final String ROUTE_SUFFIX = ".camel.yaml";
    private static final Pattern PLACEHOLDER_KEY = Pattern.compile("\\{\\{\\s*(runbook\\.[A-Za-z0-9._-]*[A-Za-z0-9])");
    /** The route that gives each firing alert its priority and runbook (the engine calls it; see AlertIntake). */
    public static final String ALERT_ROUTING = "alert-routing";
    private static final Logger LOG = LoggerFactory.getLogger(Runbooks.class);

    /** Applies schedule changes to the running scheduler. */
    public interface ScheduleTarget {
        void apply(List<Schedule> remove, List<Schedule> add) throws Exception;
    }

    /** Told, after the start and after every reload, the state of every file. */
    public interface Listener {
        void changed(List<FileState> states);
    }

    /** The verdict on a whole set of files: the version of each file to run, and why each refused file is refused. */
    record Verdict(Map<Path, RouteFile> routes, Map<Path, ScheduleFile> schedules, Map<String, List<Problem>> refused) {
    }

    private final Path base;
    private final CamelContext context;
    private final ScheduleTarget scheduler;
    /** The last version read of every file present on disk. */
    private final Map<Path, RouteFile> routeDisk = new TreeMap<>();
    private final Map<Path, ScheduleFile> scheduleDisk = new TreeMap<>();
    /** The version of each file in force (added to Camel, given to the scheduler). */
    private final Map<Path, RouteFile> routeFiles = new TreeMap<>();
    private final Map<Path, ScheduleFile> scheduleFiles = new TreeMap<>();
    /** File version (a RouteFile or ScheduleFile object) → the problem Camel or the scheduler found applying it. */
    private final Map<Object, Problem> failures = new IdentityHashMap<>();
    /** Bean name → the file that holds it: a file in force that bound it, or a file read since that claims it. */
    private final Map<String, String> beanOwners = new HashMap<>();
    /** The bean names that files' {@code beans:} bound in the engine's registry (only files whose verdict was applied). */
    private final Set<String> boundBeans = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private Set<String> engineRouteIds = Set.of();
    private volatile Map<String, FileState> states = Map.of();
    private volatile ReloadOutcome lastOutcome;
    /** Each job's declared parameters, replaced whole when route files change: read on every run, never locked. */
    private volatile Map<String, Parameters> parameters = Map.of();
    /** The role each job needs to run, replaced whole with {@link #parameters}. */
    private volatile Map<String, Role> roles = Map.of();
    /** Written while a load or reload changes what runs; taken before this object's monitor (see {@link #settled}). */
    private final ReentrantReadWriteLock applying = new ReentrantReadWriteLock(true);

    public Runbooks(Path base, CamelContext context, ScheduleTarget scheduler) {
        this.base = base.toAbsolutePath().normalize();
        this.context = context;
        this.scheduler = scheduler;
    }

    Path routesDir() {
        return base.resolve("routes");
    }

    Path schedulesDir() {
        return base.resolve("schedules");
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** Every problem in the folders under {@code base}, without starting anything: the start's verdict, as a list. */
    public static List<Problem> validate(CamelContext context, Path base) {
        Path dir = base.toAbsolutePath().normalize();
        Map<Path, RouteFile> routes = new TreeMap<>();
        Map<String, String> beans = new HashMap<>();
        for (Path p : files(dir.resolve("routes"), ROUTE_SUFFIX)) {
            routes.put(p, read(context, p, display(dir, p), beans, Set.of()));
        }
        Map<Path, ScheduleFile> schedules = new TreeMap<>();
        for (Path p : files(dir.resolve("schedules"), ".yaml")) {
            schedules.put(p, ScheduleFile.parse(p, display(dir, p)));
        }
        return decide(routes, schedules, Map.of(), Map.of(), RouteFile::problems, ScheduleFile::problems).refused()
                .values().stream().flatMap(List::stream).sorted().toList();
    }

    /**
     * Reads one route file and checks it alone: the isolation rules that must hold before Camel's loader sees the
     * text (it binds beans as it reads), Camel's parse, then the rules on its routes. Every per-file check goes here,
     * so that {@code validate} and the engine judge a file the same way.
     */
    static RouteFile read(CamelContext context, Path path, String name, Map<String, String> beanOwners,
                          Set<String> reservedIds) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return RouteFile.parse(context, path, name);   // reports the read error
        }
        Function<String, String> owner = bean -> {
            String file = beanOwners.get(bean);
            if (file != null) {
                return file.equals(name) ? null : file;
            }
            return context.getRegistry().lookupByName(bean) != null ? "the engine" : null;
        };
        Isolation.TopLevel top = Isolation.TopLevel.of(text);
        List<Problem> clashes = Isolation.beanClashes(name, top, owner);
        List<Problem> before = Isolation.beforeLoading(name, top);
        if (!before.isEmpty()) {
            List<Problem> all = new ArrayList<>(before);
            all.addAll(clashes);
            return new RouteFile(path, name, text, List.of(), List.copyOf(all), List.of(), Set.of());
        }
        List<String> free = Isolation.beanNames(top).stream().filter(bean -> owner.apply(bean) == null).toList();
        RouteFile parsed = RouteFile.parse(context, path, name, text);
        free.forEach(bean -> beanOwners.put(bean, name));
        List<Problem> problems = new ArrayList<>(clashes);
        problems.addAll(parsed.problems());
        List<Problem> isolation = Isolation.routes(parsed, reservedIds);
        // an input that must become direct:<id> is reported once, not also for its options
        Set<String> refusedInputs = parsed.routes().stream().filter(r -> r.hasCustomIdAssigned() && !RouteFile.isJob(r))
                .map(r -> RouteFile.named(r) + ", step 'from': ").collect(Collectors.toSet());
        problems.removeIf(p -> refusedInputs.stream().anyMatch(p.message()::startsWith));
        problems.addAll(isolation);
        return problems.equals(parsed.problems()) ? parsed
                : new RouteFile(path, name, text, parsed.routes(), List.copyOf(problems), parsed.configurations(),
                        parsed.flaggedSteps());
    }

    /**
     * Decides on a whole set: each file on disk with problems of its own is refused (its previous version, when it
     * has one, stays a candidate); then, until the candidates agree, every file with a problem against the others is
     * refused and falls back to its previous version, or to nothing. {@code old*} are the versions in force now.
     */
    static Verdict decide(Map<Path, RouteFile> routeDisk, Map<Path, ScheduleFile> scheduleDisk,
                          Map<Path, RouteFile> routeOld, Map<Path, ScheduleFile> scheduleOld,
                          Function<RouteFile, List<Problem>> routeOwn, Function<ScheduleFile, List<Problem>> scheduleOwn) {
        Map<String, List<Problem>> refused = new TreeMap<>();
        Map<Path, RouteFile> routes = candidates(routeDisk, routeOld, routeOwn, RouteFile::name, refused);
        Map<Path, ScheduleFile> schedules = candidates(scheduleDisk, scheduleOld, scheduleOwn, ScheduleFile::name, refused);
        for (boolean changed = true; changed; ) {
            Map<String, String> owners = refusedJobs(routeDisk, refused);
            Set<String> files = new TreeSet<>();
            for (Problem problem : crossCheck(routes, schedules, owners)) {
                refused.computeIfAbsent(problem.file(), k -> new ArrayList<>()).add(problem);
                files.add(problem.file());
            }
            changed = false;
            for (String file : files) {
                changed |= fallBack(routes, routeOld, routeOwn, RouteFile::name, file)
                        | fallBack(schedules, scheduleOld, scheduleOwn, ScheduleFile::name, file);
            }
        }
        // a schedule file refused for its own problems is still checked against the jobs and their declared
        // parameters, so every problem is reported
        Set<String> jobs = jobIds(routes.values());
        Map<String, Parameters> declared = declarations(routes.values());
        Map<String, String> owners = refusedJobs(routeDisk, refused);
        for (ScheduleFile f : scheduleDisk.values()) {
            if (!scheduleOwn.apply(f).isEmpty()) {
                f.jobs().stream().filter(s -> !jobs.contains(s.job())).forEach(s -> refused.get(f.name())
                        .add(new Problem(f.name(), s.line(), 1, missingJob("schedule names job", s.job(), owners))));
                refused.get(f.name()).addAll(ScheduleParams.check(declared, List.of(f)));
            }
        }
        refused.replaceAll((file, problems) -> problems.stream().distinct().sorted().toList());
        return new Verdict(routes, schedules, refused);
    }

    /** The candidate version of each file, the unchanged ones first (a duplicate id is reported in the newcomer). */
    private static <F> Map<Path, F> candidates(Map<Path, F> disk, Map<Path, F> old, Function<F, List<Problem>> own,
                                               Function<F, String> name, Map<String, List<Problem>> refused) {
        Map<Path, F> unchanged = new TreeMap<>();
        Map<Path, F> changed = new TreeMap<>();
        Set<Path> paths = new TreeSet<>(disk.keySet());
        paths.addAll(old.keySet());
        for (Path p : paths) {
            F now = disk.get(p);
            F before = old.get(p);
            List<Problem> problems = now == null ? List.of() : own.apply(now);
            if (!problems.isEmpty()) {
                refused.put(name.apply(now), new ArrayList<>(problems));
                if (before != null && own.apply(before).isEmpty()) {
                    unchanged.put(p, before);
                }
            } else if (now != null) {
                (now == before ? unchanged : changed).put(p, now);
            }
        }
        Map<Path, F> inForce = new LinkedHashMap<>(unchanged);
        inForce.putAll(changed);
        return inForce;
    }

    /** Replaces the candidate named {@code file} by its previous version, or drops it; true if it was a candidate. */
    private static <F> boolean fallBack(Map<Path, F> candidates, Map<Path, F> old, Function<F, List<Problem>> own,
                                        Function<F, String> name, String file) {
        for (Map.Entry<Path, F> e : candidates.entrySet()) {
            if (name.apply(e.getValue()).equals(file)) {
                F before = old.get(e.getKey());
                if (before != null && before != e.getValue() && own.apply(before).isEmpty()) {
                    e.setValue(before);
                } else {
                    candidates.remove(e.getKey());
                }
                return true;
            }
        }
        return false;
    }

    /** Job id → the refused route file on disk that defines it (or is named after it). */
    private static Map<String, String> refusedJobs(Map<Path, RouteFile> routeDisk, Map<String, List<Problem>> refused) {
        Map<String, String> owners = new HashMap<>();
        for (RouteFile f : routeDisk.values()) {
            if (refused.containsKey(f.name())) {
                String file = f.path().getFileName().toString();
                owners.put(file.substring(0, file.length() - ROUTE_SUFFIX.length()), f.name());
                f.routes().stream().map(RouteDefinition::getRouteId).filter(Objects::nonNull)
                        .forEach(id -> owners.put(id, f.name()));
            }
        }
        return owners;
    }

    private static Set<String> jobIds(Collection<RouteFile> files) {
        Set<String> jobs = new HashSet<>();
        files.forEach(f -> f.routes().stream().filter(RouteFile::isJob).forEach(r -> jobs.add(r.getRouteId())));
        return jobs;
    }

    /**
     * Problems between files: duplicate route ids, schedules for jobs that have no route, a schedule id used twice,
     * schedule params the job's declaration refuses, an alert routing to a job that has none, a route calling
     * ({@code to: direct:<job>}) a job of a refused file.
     * {@code refusedJobs} names the refused file behind a missing job.
     */
    static List<Problem> crossCheck(Map<Path, RouteFile> routes, Map<Path, ScheduleFile> schedules,
                                    Map<String, String> refusedJobs) {
        List<Problem> problems = new ArrayList<>();
        // the first definition of each id; its line is looked up only for a duplicate (a look-up scans the file)
        Map<String, Map.Entry<RouteFile, RouteDefinition>> firstSeen = new HashMap<>();
        Set<String> jobs = new HashSet<>();
        Map<String, Role> roles = new HashMap<>();
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
                    jobs.add(id);
                    roles.put(id, f.runRole());
                    if (f.isValid()) {   // an invalid declaration is reported in its own file, not in every schedule
                        declared.put(id, f.parameters());
                    }
                }
            }
        }
        for (RouteFile f : routes.values()) {
            for (Map.Entry<SetHeaderDefinition, String> routed : routedRunbooks(f).entrySet()) {
                if (!jobs.contains(routed.getValue())) {
                    problems.add(f.at(routed.getKey(), routed.getValue(),
                            missingJob("alert-routing sets runbook", routed.getValue(), refusedJobs)));
                }
            }
        }
        problems.addAll(roleEscalations(routes.values(), roles));
        if (!refusedJobs.isEmpty()) {   // a call into a refused file (a call to anything else may be the engine's)
            for (RouteFile f : routes.values()) {
                for (RouteDefinition r : f.routes()) {
                    for (SendDefinition<?> send : ProcessorDefinitionHelper.filterTypeInOutputs(r.getOutputs(), SendDefinition.class)) {
                        String uri = send.getEndpointUri();
                        String job = uri == null || !uri.startsWith("direct:") ? null : uri.substring(7).split("\\?")[0];
                        if (job != null && !jobs.contains(job) && refusedJobs.containsKey(job)) {
                            problems.add(f.at(send, uri, missingJob(RouteFile.named(r) + " calls job", job, refusedJobs)));
                        }
                    }
                }
            }
        }
        for (ScheduleFile f : schedules.values()) {
            for (ScheduleFile.JobRef s : f.jobs()) {   // every entry's job, also of entries with other problems
                if (!jobs.contains(s.job())) {
                    problems.add(new Problem(f.name(), s.line(), 1, missingJob("schedule names job", s.job(), refusedJobs)));
                }
            }
        }
        problems.addAll(ScheduleParams.check(declared, schedules.values()));
        return problems;
    }

    /**
     * A route that calls ({@code to: direct:<job>}) a job that needs a higher role to run than the caller's own file
     * declares: whoever may run the caller would run that job through it. Likewise a {@code toD: direct:${...}} (the
     * job chosen when it runs) in a file below the highest role any job needs. (A job named by another expression, a
     * recipientList say, is not seen here.)
     */
    private static List<Problem> roleEscalations(Collection<RouteFile> files, Map<String, Role> roles) {
        List<Problem> problems = new ArrayList<>();
        for (RouteFile f : files) {
            Role own = f.runRole();
            for (RouteDefinition r : f.routes()) {
                for (SendDefinition<?> send : ProcessorDefinitionHelper.filterTypeInOutputs(r.getOutputs(), SendDefinition.class)) {
                    String uri = send.getEndpointUri();
                    String job = uri == null || !uri.startsWith("direct:") ? null : uri.substring(7).split("\\?")[0];
                    Role needed = job == null ? null : roles.get(job);
                    if (needed != null && !own.covers(needed)) {
                        problems.add(f.at(send, uri, RouteFile.named(r) + " calls job '" + job + "', which needs "
                                + needed.stored() + " to run, but this file's runbooks need " + own.stored() + ": declare"
                                + " '- access: {run: " + needed.stored() + "}' in this file too (else an " + own.stored()
                                + " could run " + job + " through it)"));
                    }
                }
                Role highest = roles.values().stream().max(Comparator.naturalOrder()).orElse(own);
                for (ToDynamicDefinition to : ProcessorDefinitionHelper.filterTypeInOutputs(r.getOutputs(), ToDynamicDefinition.class)) {
                    String uri = to.getUri();
                    if (uri != null && uri.startsWith("direct:") && uri.contains("${") && !own.covers(highest)) {
                        problems.add(f.at(to, uri, RouteFile.named(r) + " calls a job chosen when it runs ('" + uri
                                + "'), which could be one that needs " + highest.stored() + " to run, but this file's"
                                + " runbooks need " + own.stored() + ": name the job (to: direct:<job>) or declare"
                                + " '- access: {run: " + highest.stored() + "}' in this file"));
                    }
                }
            }
        }
        return problems;
    }

    /** Each {@code runbook} header that a file's {@code alert-routing} route sets to a constant, with the job it names. */
    private static Map<SetHeaderDefinition, String> routedRunbooks(RouteFile f) {
        Map<SetHeaderDefinition, String> routed = new LinkedHashMap<>();
        for (RouteDefinition r : f.routes()) {
            if (ALERT_ROUTING.equals(r.getRouteId())) {
                for (SetHeaderDefinition set : ProcessorDefinitionHelper.filterTypeInOutputs(r.getOutputs(), SetHeaderDefinition.class)) {
                    if ("runbook".equals(set.getName()) && set.getExpression() instanceof ConstantExpression c) {
                        routed.put(set, c.getExpression());
                    }
                }
            }
        }
        return routed;
    }

    /** The message about a job that {@code what} names and that is not in force. */
    private static String missingJob(String what, String job, Map<String, String> refusedJobs) {
        String owner = refusedJobs.get(job);
        return owner != null ? "refused because " + owner + " is refused (" + what + " '" + job + "')"
                : what + " '" + job + noSuchJob(job);
    }

    /** The end of a message about a name that should be a job's (a schedule's, a routed runbook's) and is not. */
    private static String noSuchJob(String job) {
        return "' but no route in routes/ has that id and reads from direct:" + job;
    }

    /** Reads every file, decides on the whole set and applies it; returns the refused files. */
    public List<ReloadOutcome> loadAll() {
        return whileApplying(this::loadAllNow);
    }

    private synchronized List<ReloadOutcome> loadAllNow() {
        engineRouteIds = context.getRoutes().stream().map(Route::getRouteId).collect(Collectors.toUnmodifiableSet());
        RouteCheck.of(context).hideFilesBeans(boundBeans::contains);
        for (Path p : files(routesDir(), ROUTE_SUFFIX)) {
            routeDisk.put(p, read(p));
        }
        for (Path p : files(schedulesDir(), ".yaml")) {
            scheduleDisk.put(p, ScheduleFile.parse(p, display(base, p)));
        }
        converge(true);
        rereadBeanConflicts(true);
        LOG.info("Loaded {} route file(s) with {} route(s) and {} schedule file(s)", routeFiles.size(),
                routeFiles.values().stream().mapToInt(f -> f.routes().size()).sum(), scheduleFiles.size());
        return states.values().stream().filter(FileState::refused).map(Runbooks::outcome).toList();
    }

    /** Reloads after a change (edit, new file, deletion) of one file, deciding on the whole set again. */
    public ReloadOutcome reload(Path file) {
        return whileApplying(() -> reloadNow(file));
    }

    /**
     * Held (read) while the set in force is not changing: a load or reload waits for its holders, new holders wait
     * for a load or reload in progress. The alert intake routes, stores and starts each alert under it. Take it before
     * calling any other method of this class (they lock this object).
     */
    public Lock settled() {
        return applying.readLock();
    }

    private <T> T whileApplying(Supplier<T> change) {
        applying.writeLock().lock();
        try {
            return change.get();
        } finally {
            applying.writeLock().unlock();
        }
    }

    private synchronized ReloadOutcome reloadNow(Path file) {
        Path p = file.toAbsolutePath().normalize();
        boolean exists = Files.exists(p);
        String name = p.getFileName().toString();
        if (p.getParent().equals(routesDir()) && name.endsWith(ROUTE_SUFFIX)) {
            if (exists) {
                routeDisk.put(p, read(p));
            } else {
                routeDisk.remove(p);
            }
        } else if (p.getParent().equals(schedulesDir()) && name.endsWith(".yaml")) {
            if (exists) {
                scheduleDisk.put(p, ScheduleFile.parse(p, display(base, p)));
            } else {
                scheduleDisk.remove(p);
            }
        } else {
            return null;
        }
        converge(false);
        rereadBeanConflicts(false);
        FileState state = states.get(display(base, p));
        lastOutcome = state == null ? new ReloadOutcome(Instant.now(), display(base, p), FileState.APPLIED, List.of())
                : outcome(state);
        return lastOutcome;
    }

    /**
     * A file refused because another file had bound one of its bean names is read again once that file no longer
     * holds the name (it was refused, changed or removed), and the set decided on again.
     */
    private void rereadBeanConflicts(boolean starting) {
        List<Path> conflicts = routeDisk.values().stream().filter(f -> f.problems().stream().anyMatch(problem ->
                problem.message().contains(Isolation.BOUND_BY_FILE))).map(RouteFile::path).toList();
        boolean changed = false;
        for (Path p : conflicts) {
            RouteFile again = read(p);
            changed |= !again.problems().equals(routeDisk.get(p).problems());
            routeDisk.put(p, again);
        }
        if (changed) {
            converge(starting);
        }
    }

    private RouteFile read(Path p) {
        return read(context, p, display(base, p), beanOwners, engineRouteIds);
    }

    private static ReloadOutcome outcome(FileState state) {
        return new ReloadOutcome(Instant.now(), state.file(), state.status(), state.problems());
    }

    /** Makes the engine run the verdict on the files as they are on disk now. */
    private void converge(boolean starting) {
        Map<Path, RouteFile> routesBefore = new TreeMap<>(routeFiles);
        Map<Path, ScheduleFile> schedulesBefore = new TreeMap<>(scheduleFiles);
        Set<Object> live = Collections.newSetFromMap(new IdentityHashMap<>());
        live.addAll(routeDisk.values());
        live.addAll(scheduleDisk.values());
        live.addAll(routesBefore.values());
        live.addAll(schedulesBefore.values());
        failures.keySet().retainAll(live);
        while (true) {
            Verdict verdict = decide(routeDisk, scheduleDisk, routesBefore, schedulesBefore,
                    f -> withFailure(f, f.problems()), f -> withFailure(f, f.problems()));
            // while the routes change, each job needs the stricter of its old and new roles (never a moment in which
            // a job that now declares admin runs for an operator)
            roles = stricter(roles, roles(verdict.routes().values()));
            Map<Object, Problem> failed = applyRoutes(verdict.routes());
            if (failed.isEmpty()) {
                failed = applySchedules(verdict.schedules());
            }
            if (failed.isEmpty()) {
                keepOnlyBeansInForce();
                parameters = declaredParameters();
                roles = declaredRoles();
                publish(verdict, starting);
                return;
            }
            failures.putAll(failed);   // each round refuses at least one more file version: this ends
        }
    }

    private List<Problem> withFailure(Object version, List<Problem> own) {
        Problem failure = failures.get(version);
        if (failure == null) {
            return own;
        }
        List<Problem> all = new ArrayList<>(own);
        all.add(failure);
        return all;
    }

    /** Removes what goes or changes and adds what comes; a file Camel will not start is taken out again. */
    private Map<Object, Problem> applyRoutes(Map<Path, RouteFile> target) {
        for (Path p : new ArrayList<>(routeFiles.keySet())) {
            if (target.get(p) != routeFiles.get(p)) {
                removeRoutes(routeFiles.remove(p).routeIds());
            }
        }
        Map<Path, RouteFile> adds = new LinkedHashMap<>();
        target.forEach((p, f) -> {
            if (routeFiles.get(p) != f) {
                adds.put(p, f);
            }
        });
        if (adds.isEmpty()) {
            return Map.of();
        }
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        // one batch: adding routes file by file made Camel, for every route added, gather the endpoints of every
        // route already there (AbstractCamelContext.removeRoute, called even for a new id), which is slower still
        try {
            List<RouteDefinition> all = new ArrayList<>();
            for (RouteFile f : adds.values()) {
                all.addAll(build(f));
            }
            model.addRouteDefinitions(all);
            routeFiles.putAll(adds);
            return Map.of();
        } catch (Exception e) {
            adds.values().forEach(f -> removeRoutes(f.routeIds()));
        }
        // a file's routes would not start: add the files one by one so only the culprits are left out
        Map<Object, Problem> failed = new IdentityHashMap<>();
        adds.forEach((p, f) -> {
            try {
                model.addRouteDefinitions(build(f));
                routeFiles.put(p, f);
            } catch (Exception e) {
                removeRoutes(f.routeIds());
                failed.put(f, SourceText.problem(f.name(), e));
            }
        });
        return failed;
    }

    /**
     * A file version's routes built in the engine's context: only now, its verdict being applied, are its beans bound
     * there (a checked file's beans stay in the check's own registry).
     */
    private List<RouteDefinition> build(RouteFile f) {
        List<String> beans = Isolation.beanNames(f.text());
        boundBeans.addAll(beans);
        beans.forEach(n -> beanOwners.put(n, f.name()));
        return f.build(context);
    }

    private void removeRoutes(List<String> ids) {
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        for (String id : ids) {
            try {
                RouteDefinition def = model.getRouteDefinition(id);
                if (def != null) {
                    model.removeRouteDefinition(def);
                }
                context.getRouteController().stopRoute(id);
                context.removeRoute(id);
            } catch (Exception e) {
                LOG.error("Could not remove route {}", id, e);
            }
        }
    }

    private Map<Object, Problem> applySchedules(Map<Path, ScheduleFile> target) {
        Map<Path, List<Schedule>[]> changes = new LinkedHashMap<>();
        Set<Path> paths = new TreeSet<>(scheduleFiles.keySet());
        paths.addAll(target.keySet());
        for (Path p : paths) {
            ScheduleFile now = scheduleFiles.get(p);
            ScheduleFile next = target.get(p);
            if (now != next) {
                @SuppressWarnings("unchecked")
                List<Schedule>[] change = new List[] {now == null ? List.of() : now.schedules(),
                        next == null ? List.of() : next.schedules()};
                changes.put(p, change);
            }
        }
        if (changes.isEmpty()) {
            return Map.of();
        }
        try {
            scheduler.apply(changes.values().stream().flatMap(c -> c[0].stream()).toList(),
                    changes.values().stream().flatMap(c -> c[1].stream()).toList());
            changes.keySet().forEach(p -> put(scheduleFiles, p, target.get(p)));
            return Map.of();
        } catch (Exception e) {
            LOG.warn("Applying the schedules failed; applying them file by file", e);
        }
        Map<Object, Problem> failed = new IdentityHashMap<>();
        changes.forEach((p, c) -> {
            try {
                scheduler.apply(c[0], c[1]);
                put(scheduleFiles, p, target.get(p));
            } catch (Exception e) {
                try {
                    scheduler.apply(c[1], c[0]);
                } catch (Exception rollback) {
                    LOG.error("Could not restore the previous schedules of {}", p, rollback);
                }
                ScheduleFile next = target.get(p);
                if (next == null) {   // a removal that failed: the file is gone, nothing to refuse; tried again next time
                    LOG.error("Could not remove the schedules of {}", p, e);
                } else {
                    failed.put(next, SourceText.problem(next.name(), e));
                }
            }
        });
        return failed;
    }

    private static <F> void put(Map<Path, F> map, Path p, F value) {
        if (value == null) {
            map.remove(p);
        } else {
            map.put(p, value);
        }
    }

    /**
     * Only the files in force hold bean names: a bean that a file bound and that no version in force declares (the
     * file went, changed, or Camel would not start it) is unbound, and the claims of files not in force are dropped.
     */
    private void keepOnlyBeansInForce() {
        if (beanOwners.isEmpty() && boundBeans.isEmpty()) {
            return;
        }
        Map<String, String> keep = new HashMap<>();
        routeFiles.values().forEach(f -> Isolation.beanNames(f.text()).forEach(n -> keep.put(n, f.name())));
        beanOwners.keySet().retainAll(keep.keySet());
        beanOwners.putAll(keep);
        boundBeans.removeIf(n -> {
            if (keep.containsKey(n)) {
                return false;
            }
            context.getRegistry().unbind(n);
            return true;
        });
    }

    private void publish(Verdict verdict, boolean starting) {
        Map<String, FileState> previous = states;
        Map<String, FileState> next = new TreeMap<>();
        Instant now = Instant.now();
        Map<String, Path> files = new TreeMap<>();
        routeDisk.forEach((p, f) -> files.put(f.name(), p));
        scheduleDisk.forEach((p, f) -> files.put(f.name(), p));
        files.forEach((name, p) -> {
            List<Problem> problems = verdict.refused().get(name);
            FileState state = problems == null ? new FileState(name, FileState.APPLIED, now, List.of(), false)
                    : new FileState(name, FileState.REFUSED, now, problems.stream().map(Problem::toString).toList(),
                    routeFiles.containsKey(p) || scheduleFiles.containsKey(p));
            FileState before = previous.get(name);
            if (state.sameAs(before)) {
                state = before;
            } else if (state.refused()) {
                state.problems().forEach(problem -> LOG.error("Refused {}: {}", name, problem));
            } else if (!starting) {
                LOG.info("Applied {}", name);
            }
            next.put(name, state);
        });
        previous.keySet().stream().filter(name -> !next.containsKey(name)).forEach(name -> LOG.info("Removed {}", name));
        List<FileState> list = sorted(next.values());
        // the listeners (the refused-file incidents) act before the new states are shown: a state the API shows has
        // its incident raised or resolved already
        listeners.forEach(l -> {
            try {
                l.changed(list);
            } catch (RuntimeException e) {
                LOG.error("A listener of runbook file states failed", e);
            }
        });
        states = Collections.unmodifiableMap(next);
    }

    public ReloadOutcome lastOutcome() {
        return lastOutcome;
    }

    /** The state of every file on disk: refused ones first, then by name. */
    public List<FileState> states() {
        return sorted(states.values());
    }

    private static List<FileState> sorted(Collection<FileState> states) {
        return states.stream().sorted(Comparator.comparing((FileState s) -> !s.refused())
                .thenComparing(FileState::file)).toList();
    }

    /** The refused files, by name. */
    public List<String> refusedFiles() {
        return states.values().stream().filter(FileState::refused).map(FileState::file).toList();
    }

    /** One line on how the files stand, for the end of the start log. */
    public String summary() {
        List<String> refused = refusedFiles();
        return "Runbook files: " + (states.size() - refused.size()) + " applied, " + refused.size() + " refused"
                + (refused.isEmpty() ? "" : " (not running, see GET /api/runbooks): " + String.join(", ", refused));
    }

    /**
     * True when the file is a schedule file, or a route file that defines the alert routing or a job that a schedule
     * file or the alert routing names: refused, something will not run when it is due.
     */
    public synchronized boolean runsUnattended(String file) {
        if (scheduleDisk.values().stream().anyMatch(f -> f.name().equals(file))) {
            return true;
        }
        RouteFile f = routeDisk.values().stream().filter(r -> r.name().equals(file)).findFirst().orElse(null);
        if (f == null) {
            return false;
        }
        Set<String> ids = new HashSet<>(f.routeIds());
        String fileName = f.path().getFileName().toString();
        ids.add(fileName.substring(0, fileName.length() - ROUTE_SUFFIX.length()));
        if (ids.contains(ALERT_ROUTING)) {
            return true;
        }
        Set<String> due = new HashSet<>();
        scheduleDisk.values().forEach(s -> s.jobs().forEach(j -> due.add(j.job())));
        routeDisk.values().forEach(r -> due.addAll(routedRunbooks(r).values()));
        return ids.stream().anyMatch(due::contains);
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

    /**
     * The role needed to run {@code job} ({@code - access: {run: ...}} beside its route; operator when its file declares
     * none, or for no such job). Rehearsing any job needs operator only.
     */
    public Role roleOf(String job) {
        return roles.getOrDefault(job, AccessBlock.DEFAULT_RUN);
    }

    private Map<String, Role> declaredRoles() {
        return roles(routeFiles.values());
    }

    /** Each job's role to run in {@code files}. */
    private static Map<String, Role> roles(Collection<RouteFile> files) {
        Map<String, Role> declared = new HashMap<>();
        files.forEach(f -> f.routes().stream().filter(RouteFile::isJob)
                .forEach(r -> declared.put(r.getRouteId(), f.runRole())));
        return Map.copyOf(declared);
    }

    /** Each job of either map with the higher of its roles in both. */
    private static Map<String, Role> stricter(Map<String, Role> a, Map<String, Role> b) {
        Map<String, Role> both = new HashMap<>(a);
        b.forEach((job, role) -> both.merge(job, role, (x, y) -> x.covers(y) ? x : y));
        return Map.copyOf(both);
    }

    private Map<String, Parameters> declaredParameters() {
        return declarations(routeFiles.values());
    }

    /** Each job's declared parameters in {@code files}. */
    private static Map<String, Parameters> declarations(Collection<RouteFile> files) {
        Map<String, Parameters> declared = new HashMap<>();
        files.forEach(f -> f.routes().stream().filter(RouteFile::isJob)
                .forEach(r -> declared.put(r.getRouteId(), f.parameters())));
        return Map.copyOf(declared);
    }

    public synchronized List<Schedule> schedules() {
        return scheduleFiles.values().stream().flatMap(f -> f.schedules().stream()).toList();
    }

    /**
     * The {@code runbook.*} keys the route files under {@code base} name in {@code {{...}}} placeholders: settings of
     * an operator's own runbooks, which the strict settings accept although application.properties does not declare
     * them.
     */
    public static Set<String> placeholderKeys(Path base) {
        Set<String> keys = new TreeSet<>();
        for (Path file : files(base.resolve("routes"), ROUTE_SUFFIX)) {
            try {
                Matcher m = PLACEHOLDER_KEY.matcher(Files.readString(file, StandardCharsets.UTF_8));
                while (m.find()) {
                    keys.add(m.group(1));
                }
            } catch (IOException e) {
                // the loader reports the file
            }
        }
        return keys;
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
