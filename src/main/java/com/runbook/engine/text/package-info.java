/** Text shown to people (pages, messages, stored parameters): made safe and cut to length in one place. */
package com.runbook.engine.text;
