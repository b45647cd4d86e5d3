package com.runbook.engine.trading;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How a dry run's plan names the trading effects: the call (no user info, no query) and the trading_control row. */
class TradingPlanTest {
    @Test
    void theCallNamesTheUrlWithoutUserInfoOrQuery() {
        assertThat(TradingControl.callEffect("halt", "https://ops:pw@trading.example.com:8443/v1/halt?token=abc"))
                .isEqualTo("halt trading via POST https://trading.example.com:8443/v1/halt?…");
        assertThat(TradingControl.callEffect("resume", "http://127.0.0.1:9000/v1/trading/resume"))
                .isEqualTo("resume trading via POST http://127.0.0.1:9000/v1/trading/resume");
        assertThat(TradingControl.callEffect("halt", "not a url")).isEqualTo("halt trading via POST (invalid URL)");
    }

    @Test
    void theRowNamesActionWhoAndWhy() {
        assertThat(TradingControl.recordEffect("halt", "dry-run", "runaway orders"))
                .isEqualTo("insert trading_control halt by dry-run: runaway orders");
    }
}
