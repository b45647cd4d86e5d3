/**
 * Backups: dumping the configured databases and the runbook files, streaming them to an object store (S3 through
 * camel-aws2-s3's client, or a local folder) with checksum verification, retention, restore drills, and the Sunday
 * maintenance steps.
 */
package com.runbook.engine.backup;
