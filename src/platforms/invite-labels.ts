/**
 * The labels invites put before a passcode or a meeting ID, as Zoom and Teams write them in
 * English, German, Spanish, French, Portuguese, Italian, Dutch, Japanese, Chinese and Korean.
 * Regex sources: Latin labels are matched as whole words by their users, CJK ones anywhere
 * (those scripts have no word boundaries to lean on).
 */
export const PASSCODE_LATIN = [
  'pass\\s?code', 'password', 'passwort', 'kenncode', 'kennwort', 'código de acceso', 'contraseña', 'code secret',
  'mot de passe', 'senha', 'código de acesso', "codice d['’]accesso", 'codice di accesso', 'toegangscode', 'wachtwoord',
];
export const PASSCODE_CJK = ['パスコード', 'パスワード', '密码', '密碼', '암호'];

export const ID_LATIN = [
  '(?:meeting|webinar)[\\s-]*id', 'id\\.? de reuni[óo]n', 'id de r[ée]union', 'id da reuni[ãa]o', 'id riunione',
  'besprechungs-id', 'vergadering-id',
];
export const ID_CJK = ['ミーティング\\s*id', '会議\\s*id', '会议号', '會議\\s*id', '회의\\s*id'];

/**
 * A label that starts the next piece of invite text. When a mail client drops the line break, it
 * ends up glued to the link (`...pwd=abc.1Passcode: 497810`, `...pwd=abc.1Código de acceso: 4978`);
 * a link never holds `Label:` itself. Dial-in labels (PIN, conference ID) end a link the same way.
 */
export const GLUED_LABEL = new RegExp(
  `(?:${[...PASSCODE_LATIN, ...ID_LATIN, 'conference\\s?id', 'access\\s?code', 'pin', ...PASSCODE_CJK, ...ID_CJK].join('|')})\\s*[:：]`,
  'iu',
);
