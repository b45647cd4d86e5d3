/** Alert intake: the Alertmanager, Grafana and generic webhooks, their authentication, parsing and storage. */
package com.runbook.engine.alert;
