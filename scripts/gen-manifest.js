// `npm run gen:manifest`: writes package.json's settings (`contributes.configuration` and the untrusted-workspace
// `restrictedConfigurations`) from the settings table, src/core/settingsTable.ts (run after compile-tests).
const fs = require('node:fs');
const path = require('node:path');
const { generatedManifestText } = require('../out/src/core/settingsManifest');

const file = path.join(__dirname, '..', 'package.json');
const before = fs.readFileSync(file, 'utf8');
const after = generatedManifestText(before);
if (after === before) {
  console.log('package.json: settings already match the table');
} else {
  fs.writeFileSync(file, after);
  console.log('package.json: settings written from src/core/settingsTable.ts');
}
