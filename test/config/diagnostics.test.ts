import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnosticsJson, formatDiagnostics } from '../../src/config/diagnostics.js';
import type { Diagnostic } from '../../src/config/types.js';

const swpIp: Diagnostic = {
  severity: 'error', key: 'SWP_IP',
  summary: 'SWP_IP 10.0.4.245 is not inside RANGE 10.0.1.0/24 or PRIVATE_RANGE 10.0.2.0/24',
  detail: 'Pick an address inside RANGE or PRIVATE_RANGE.',
};
const typo: Diagnostic = {
  severity: 'warning', key: 'SWP_PROT', summary: 'unknown key SWP_PROT; did you mean SWP_PORT?',
  detail: 'Rename it.',
};

describe('formatting diagnostics', () => {
  it('prints severity, key and summary on one line and the detail indented below', () => {
    const text = formatDiagnostics([swpIp, typo], false);
    assert.equal(text, [
      `error   SWP_IP    ${swpIp.summary}`,
      '                  Pick an address inside RANGE or PRIVATE_RANGE.',
      'warning SWP_PROT  unknown key SWP_PROT; did you mean SWP_PORT?',
      '                  Rename it.',
      '',
      '1 error, 1 warning',
      '',
    ].join('\n'));
  });

  it('uses no escape codes without color, and colours severities with it', () => {
    assert.doesNotMatch(formatDiagnostics([swpIp], false), /\u001b/);
    assert.match(formatDiagnostics([swpIp], true), /\u001b\[31merror/);
    assert.match(formatDiagnostics([typo], true), /\u001b\[33mwarning/);
  });

  it('says the file is valid when there is nothing to report', () => {
    assert.equal(formatDiagnostics([], false), 'env.json is valid.\n');
  });
});

describe('the JSON view', () => {
  it('is valid with only warnings and invalid with an error', () => {
    assert.deepEqual(diagnosticsJson([typo]), { valid: true, diagnostics: [typo] });
    assert.deepEqual(diagnosticsJson([swpIp, typo]), { valid: false, diagnostics: [swpIp, typo] });
  });

  it('carries exactly severity, key, summary and detail', () => {
    const [first] = JSON.parse(JSON.stringify(diagnosticsJson([swpIp]))).diagnostics;
    assert.deepEqual(Object.keys(first).sort(), ['detail', 'key', 'severity', 'summary']);
  });
});
