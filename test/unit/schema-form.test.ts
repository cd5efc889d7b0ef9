// The glue between react-hook-form and the engine's schemas: the zod resolver over a form model
// answers with the config (what the call sends) or with errors at the engine's config paths, and
// those nested errors come back flat, path by path, for the fields to show.
import { zodResolver } from '@hookform/resolvers/zod';
import type { ResolverOptions } from 'react-hook-form';
import { describe, expect, it } from 'vitest';
import { flatErrorsOf } from '../../components/forms/field-errors';
import { defaultPodValues, toPodConfig, validatePod, type PodFormValues } from '../../components/forms/pod-form-model';
import { BLANK_VOLUME } from '../../components/forms/storage-rows';
import { formSchemaOf } from '../../components/forms/use-schema-form';

const ROOTFS = '/srv/rootfs/busybox';
/** As react-hook-form calls it for a submit: every registered field's name. */
const options = (names: string[]) => ({ fields: {}, names, shouldUseNativeValidation: false }) as unknown as ResolverOptions<PodFormValues>;
const resolve = (values: PodFormValues, names: string[] = []) => zodResolver(formSchemaOf(validatePod))(values, undefined, options(names));

describe('the pod form resolver', () => {
  it('hands on the config the mapper makes of valid values', async () => {
    const values = { ...defaultPodValues(ROOTFS), id: 'web-1' };
    const result = await resolve(values);
    expect(result.errors).toEqual({});
    expect(result.values).toEqual(toPodConfig(values));
  });

  it("reports the engine's errors at its config paths, and flat again as the fields read them", async () => {
    const values = { ...defaultPodValues(ROOTFS), id: 'no spaces', vcpus: 'x', volumes: [{ ...BLANK_VOLUME, mountTag: 'data', hostPath: 'relative' }] };
    const { values: config, errors } = await resolve(values, ['id', 'vcpus', 'volumes', 'containers.0.id']);
    expect(config).toEqual({});
    const flat = flatErrorsOf(errors, () => true);
    expect(flat).toEqual(validatePod(values).errors);
    expect(Object.keys(flat)).toEqual(expect.arrayContaining(['id', 'vmConfig.vcpus', 'volumes.0.hostPath']));
  });
});

describe('flatErrorsOf', () => {
  it("reads a list's own error from its root, a leaf's children, and keeps only what `show` lets through", () => {
    const nested = {
      containers: { root: { type: 'custom', message: 'duplicate container id' }, 0: { id: { type: 'custom', message: 'cannot be empty' } } },
      mounts: { type: 'server', message: 'refused', ref: { name: 'mounts' }, 1: { source: { type: 'custom', message: 'is required' } } },
    };
    expect(flatErrorsOf(nested, () => true)).toEqual({
      containers: 'duplicate container id',
      'containers.0.id': 'cannot be empty',
      mounts: 'refused',
      'mounts.1.source': 'is required',
    });
    expect(flatErrorsOf(nested, (type) => type === 'server')).toEqual({ mounts: 'refused' });
  });
});
