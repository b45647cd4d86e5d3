/** The engine's settings: one strict reader over application.properties, the environment and overrides. */
package com.runbook.engine.settings;
