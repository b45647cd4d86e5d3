/**
 * The composition root: {@code Engine} starts Camel Main and the engine database, builds the services, hands each
 * module its typed parts and starts the modules in order; only the command line imports it.
 */
package com.runbook.engine;
