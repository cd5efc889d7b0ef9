// Token text "pvt_<id>_<secret>": the base64url secret may itself hold `_`, so splitting on `_` is wrong.
import { describe, expect, it } from 'vitest';
import { parseApiToken } from '../../server/auth/tokens.js';

const ID = '0b9d8c6e-2f4a-4d7b-9e1c-3a5f7b9d1e2f';

describe('parseApiToken', () => {
  it('keeps every `_` of the secret, where splitting on `_` would not', () => {
    const secret = 'ab_cd-EF_gh_ijklmnopqrstu_';
    const token = `pvt_${ID}_${secret}`;
    expect(parseApiToken(token)).toEqual({ id: ID, secret });
    expect(token.split('_').at(-1)).not.toBe(secret);
    expect(token.split('_')[1]).toBe(ID);
  });

  it.each([
    ['no prefix', `${ID}_abcdefghijklmnopqrstuvwxyz`],
    ['an id that is not a UUID', 'pvt_not-a-uuid_abcdefghijklmnopqrstuvwxyz'],
    ['a short secret', `pvt_${ID}_short`],
    ['a secret outside base64url', `pvt_${ID}_abcdefghijklmnopqrst/+=`],
  ])('refuses %s', (_, token) => {
    expect(parseApiToken(token)).toBeNull();
  });
});
