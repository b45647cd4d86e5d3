/**
 * The contracts between features: the module interface, the typed parts a module receives, refusals, and the
 * interfaces features call each other through (raising incidents, queuing notifications, starting runs).
 */
package com.runbook.engine.core;
