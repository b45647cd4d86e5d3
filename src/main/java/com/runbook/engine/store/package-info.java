/** The engine's own state: the JDBC data source, Flyway migrations, and the small JDBC helpers the features share. */
package com.runbook.engine.store;
