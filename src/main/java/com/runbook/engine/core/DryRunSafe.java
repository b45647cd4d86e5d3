package com.runbook.engine.core;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a bean method a runbook may call in a dry run: it changes nothing (it reads or computes), or it asks
 * {@link DryRun#current()} and records what it would change instead of changing it. A dry run that reaches a bean
 * method without this mark fails, naming it, before the method is called: a side effect nobody taught the dry run is
 * never performed.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface DryRunSafe {
}
