package com.runbook.engine.definition;


import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Checks between schedule files and the runbooks they run: unique schedule ids, params against each declaration. */
final class ScheduleParams {
    private ScheduleParams() {
    }

    /**
     * @param declared the declaration of every job in routes/ (jobs missing here are reported elsewhere)
     */
    static List<Problem> check(Map<String, Parameters> declared, Collection<ScheduleFile> files) {
        List<Problem> problems = new ArrayList<>();
        Map<String, String> ids = new HashMap<>();
        for (ScheduleFile f : files) {
            for (ScheduleFile.JobRef s : f.jobs()) {
                String other = ids.putIfAbsent(s.id(), f.name() + ":" + s.idAt().line());
                if (other != null) {
                    problems.add(new Problem(f.name(), s.idAt().line(), s.idAt().column(), "schedule id '" + s.id()
                            + "' is already used at " + other + " (each schedule of a shared job needs an 'id' of its"
                            + " own; the default id is the job)"));
                }
                Parameters p = declared.get(s.job());
                if (p != null) {
                    problems.addAll(params(f.name(), s, p));
                }
            }
        }
        return problems;
    }

    private static List<Problem> params(String file, ScheduleFile.JobRef s, Parameters declared) {
        List<Problem> problems = new ArrayList<>();
        if (!declared.declared()) {
            if (!s.params().isEmpty()) {
                ScheduleFile.At at = s.params().get(0).nameAt();
                problems.add(new Problem(file, at.line(), at.column(), "job '" + s.job() + "' declares no parameters"
                        + " (declare them in a '- parameters:' item of its route file)"));
            }
            return problems;
        }
        for (ScheduleFile.Param p : s.params()) {
            declared.problem(s.job(), p.name(), p.value()).ifPresent(message -> {
                ScheduleFile.At at = message.startsWith("unknown") ? p.nameAt() : p.valueAt();
                problems.add(new Problem(file, at.line(), at.column(), message));
            });
        }
        declared.missing(s.params().stream().map(ScheduleFile.Param::name).toList())
                .forEach(message -> problems.add(new Problem(file, s.line(), 1, message)));
        return problems;
    }
}
