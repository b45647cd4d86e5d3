/**
 * Alert intake: the Alertmanager, Grafana and generic webhooks and the Cloud Monitoring Pub/Sub subscription (read only
 * while the engine is ready), their authentication, parsing and storage.
 */
package com.runbook.engine.alert;
