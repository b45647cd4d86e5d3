/**
 * Backups: dumping the configured databases and the runbook files, streaming them to an object store (S3 through
 * camel-aws2-s3's client, or a local folder) with checksum verification, retention, restore drills, and the Sunday
 * maintenance steps. Every bean method the runbooks call may run in a dry run: it then dumps, uploads, deletes and
 * records nothing, and plans the uploads, the retention deletes, the purge and the PostgreSQL restore instead.
 */
package com.runbook.engine.backup;
