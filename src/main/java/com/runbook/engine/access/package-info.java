/**
 * Who may call the engine: personal API tokens with roles, the bootstrap admin token, and the authentication of every
 * request that is not to an open door ({@link com.runbook.engine.access.ApiTokens}, the engine's
 * {@link com.runbook.engine.core.Identities}).
 *
 * <p>A personal token's text is {@code rbk_<id>_<secret>}: the public id finds its row in {@code api_token}; only
 * the HMAC-SHA256 of the whole text, under the token key ({@code runbook.api.token-key}, else
 * {@code <data-dir>/token-key}, 0600), is stored, and compared in constant time. The row is read at every request, so
 * a revoked or expired token stops at once. {@link com.runbook.engine.access.AccessModule} opens {@code GET /api/auth}
 * and the admin doors {@code POST /api/tokens}, {@code GET /api/tokens}, {@code POST /api/tokens/{name}/revoke}; each
 * creation and revocation records its audit entry in the transaction that changes the row (no secret in it).
 */
package com.runbook.engine.access;
