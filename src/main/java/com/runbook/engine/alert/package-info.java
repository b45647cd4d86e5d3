/**
 * Alert intake: the Alertmanager, Grafana and generic webhooks and the Cloud Monitoring Pub/Sub subscription (read only
 * while the engine is ready), their authentication, parsing and storage, and how {@code alert-routing} reads the labels
 * ({@code LabelLookup}). An alert's labels never make a run a dry run: {@code dryRun} is reserved like
 * {@code Runbook*} and {@code Camel*} and is not passed to the runbook.
 */
package com.runbook.engine.alert;
