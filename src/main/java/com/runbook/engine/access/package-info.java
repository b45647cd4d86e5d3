/**
 * Who may call the engine: personal API tokens with roles (stored hashed), the bootstrap admin token, and the
 * authentication of every request that is not to an open door.
 */
package com.runbook.engine.access;
