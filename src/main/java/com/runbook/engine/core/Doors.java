package com.runbook.engine.core;

/** Where a module opens its doors: the HTTP edge serves each one from then on. */
public interface Doors {
    void open(Door door) throws Exception;
}
