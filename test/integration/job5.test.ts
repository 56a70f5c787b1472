// IBackgroundCopyJob5's properties through the real binding (lib/job/job5.ts,
// native/bits/job5.cc, returned.cc) against a job of the test addon's own that
// implements the interface (native/test/fake_job5.cc): Wine's BITS has no
// IBackgroundCopyJob5. The fake keeps the BITS_JOB_PROPERTY_VALUE union's 16
// bytes as SetProperty received them, and GetProperty answers with bytes a test
// put there, so every expectation is the union as Microsoft lays it out:
// https://learn.microsoft.com/windows/win32/api/bits5_0/ns-bits5_0-bits_job_property_value
// (which member each property id uses) and
// https://learn.microsoft.com/windows/win32/api/bits5_0/ne-bits5_0-bits_job_property_id
// (the ids).
import { describe, expect, test, vi } from 'vitest';

import type { NativeJob } from '../../binding.js';
import { jobFromNative } from '../../lib/job/job.js';
import { BitsError } from '../../lib/index.js';
import type { BackgroundCopyJob } from '../../lib/index.js';
import { rawBinding } from './helpers.js';

interface FakeJob5Binding {
  debugFakeJob5(): Promise<NativeJob>;
  debugFakeJob5Record(): { refs: number; alive: boolean; values: Record<number, Buffer> } | null;
  debugFakeJob5Put(id: number, bytes: Buffer): void;
}
const fake = rawBinding as unknown as FakeJob5Binding;

// BITS_JOB_PROPERTY_ID (bits5_0.h, Microsoft's page above).
const ID = { COST_FLAGS: 1, NOTIFICATION_CLSID: 2, DYNAMIC_CONTENT: 3, HIGH_PERFORMANCE: 4, MAX_DOWNLOAD_SIZE: 5, USE_STORED_CREDENTIALS: 7, MINIMUM_NOTIFICATION_INTERVAL_MS: 9, ON_DEMAND_MODE: 10 };

/** The union's 16 bytes with one member written at offset 0, the rest zero. */
const dword = (v: number): Buffer => {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(v, 0);
  return b;
};
const uint64 = (v: bigint): Buffer => {
  const b = Buffer.alloc(16);
  b.writeBigUInt64LE(v, 0);
  return b;
};
/** A GUID as Windows lays it out: Data1 (4 bytes), Data2, Data3 (2 each) little-endian, then Data4's 8 bytes. */
const guid = (text: string): Buffer => {
  const hex = text.replace(/[{}-]/g, '');
  const b = Buffer.alloc(16);
  b.writeUInt32LE(parseInt(hex.slice(0, 8), 16), 0);
  b.writeUInt16LE(parseInt(hex.slice(8, 12), 16), 4);
  b.writeUInt16LE(parseInt(hex.slice(12, 16), 16), 6);
  Buffer.from(hex.slice(16), 'hex').copy(b, 8);
  return b;
};

async function fakeJob(): Promise<BackgroundCopyJob> {
  return jobFromNative(await fake.debugFakeJob5());
}
const record = () => fake.debugFakeJob5Record()!;

const CLSID = '{6BA7B810-9DAD-11D1-80B4-00C04FD430C8}';

describe('IBackgroundCopyJob5 properties, through the binding, against a COM object implementing the interface', () => {
  test('each setter hands SetProperty its id and the union member Microsoft names for it', async () => {
    const job = await fakeJob();
    // COST_FLAGS: Dword, a BITS_COST_STATE_* set or a BITS_COST_POLICY_* value (BITS_COST_POLICY_ALWAYS 0x800000FF).
    await job.setCostFlags(0x800000ff);
    // NOTIFICATION_CLSID: ClsID, the GUID's own bytes.
    await job.setNotificationClsid(CLSID.toLowerCase().slice(1, -1));
    // DYNAMIC_CONTENT, HIGH_PERFORMANCE, ON_DEMAND_MODE: Enable, a BOOL (TRUE is 1).
    await job.setDynamicContent(true);
    await job.setHighPerformance(false);
    await job.setOnDemandMode(true);
    // MAX_DOWNLOAD_SIZE: Uint64; 2^40 + 5 keeps bits a DWORD would lose.
    await job.setMaxDownloadSize(2 ** 40 + 5);
    // USE_STORED_CREDENTIALS: Target, a BG_AUTH_TARGET (BG_AUTH_TARGET_PROXY is 2).
    await job.setUseStoredCredentials('proxy');
    // MINIMUM_NOTIFICATION_INTERVAL_MS: Dword.
    await job.setMinimumNotificationInterval(0xfffffffe);
    const { values } = record();
    expect(Object.keys(values).map(Number).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 7, 9, 10]);
    expect(values[ID.COST_FLAGS]).toEqual(dword(0x800000ff));
    expect(values[ID.NOTIFICATION_CLSID]).toEqual(guid(CLSID));
    expect(values[ID.DYNAMIC_CONTENT]).toEqual(dword(1));
    expect(values[ID.HIGH_PERFORMANCE]).toEqual(dword(0));
    expect(values[ID.ON_DEMAND_MODE]).toEqual(dword(1));
    expect(values[ID.MAX_DOWNLOAD_SIZE]).toEqual(uint64(2n ** 40n + 5n));
    expect(values[ID.USE_STORED_CREDENTIALS]).toEqual(dword(2));
    expect(values[ID.MINIMUM_NOTIFICATION_INTERVAL_MS]).toEqual(dword(0xfffffffe));
    // 'none' turns the stored credentials off: no BG_AUTH_TARGET, 0.
    await job.setUseStoredCredentials('none');
    expect(record().values[ID.USE_STORED_CREDENTIALS]).toEqual(dword(0));
    job.close();
  });

  test('each getter reads GetProperty’s union by the member Microsoft names for its id', async () => {
    const job = await fakeJob();
    fake.debugFakeJob5Put(ID.COST_FLAGS, dword(0x80000021)); // BITS_COST_POLICY_TRANSFER_UNRESTRICTED
    fake.debugFakeJob5Put(ID.NOTIFICATION_CLSID, guid(CLSID));
    fake.debugFakeJob5Put(ID.DYNAMIC_CONTENT, dword(1));
    fake.debugFakeJob5Put(ID.HIGH_PERFORMANCE, dword(0));
    // A BOOL is true for any non-zero value (Windows Data Types: "BOOL ... TRUE or FALSE"; C's truth).
    fake.debugFakeJob5Put(ID.ON_DEMAND_MODE, dword(0xffffffff));
    fake.debugFakeJob5Put(ID.MAX_DOWNLOAD_SIZE, uint64(BigInt(Number.MAX_SAFE_INTEGER)));
    fake.debugFakeJob5Put(ID.USE_STORED_CREDENTIALS, dword(2)); // BG_AUTH_TARGET_PROXY
    fake.debugFakeJob5Put(ID.MINIMUM_NOTIFICATION_INTERVAL_MS, dword(0xffffffff)); // a DWORD: unsigned
    expect(await job.getCostFlags()).toBe(0x80000021);
    expect(await job.getNotificationClsid()).toBe(CLSID);
    expect(await job.getDynamicContent()).toBe(true);
    expect(await job.getHighPerformance()).toBe(false);
    expect(await job.getOnDemandMode()).toBe(true);
    expect(await job.getMaxDownloadSize()).toBe(Number.MAX_SAFE_INTEGER);
    expect(await job.getUseStoredCredentials()).toBe('proxy');
    expect(await job.getMinimumNotificationInterval()).toBe(0xffffffff);
    fake.debugFakeJob5Put(ID.USE_STORED_CREDENTIALS, dword(0));
    expect(await job.getUseStoredCredentials()).toBe('none');
    job.close();
  });

  test('what a setter stored, the getter reads back', async () => {
    const job = await fakeJob();
    await job.setMaxDownloadSize(2 ** 53 - 1);
    await job.setNotificationClsid(CLSID);
    await job.setHighPerformance(true);
    await job.setCostFlags(0x80000067); // BITS_COST_POLICY_TRANSFER_STANDARD
    expect(await job.getMaxDownloadSize()).toBe(2 ** 53 - 1);
    expect(await job.getNotificationClsid()).toBe(CLSID);
    expect(await job.getHighPerformance()).toBe(true);
    expect(await job.getCostFlags()).toBe(0x80000067);
    job.close();
  });

  test('a property BITS does not have rejects with BitsError BG_E_UNKNOWN_PROPERTY_ID from GetProperty', async () => {
    const job = await fakeJob();
    // IBackgroundCopyJob5::GetProperty: BG_E_UNKNOWN_PROPERTY_ID (0x80200057) for an id BITS does not know.
    const e = await job.getOnDemandMode().catch((err: unknown) => err);
    expect(e).toBeInstanceOf(BitsError);
    expect((e as BitsError).hresult).toBe(0x80200057);
    expect((e as BitsError).method).toBe('IBackgroundCopyJob5::GetProperty');
    job.close();
  });

  test('every call gives back the references it took, and close() releases the object', async () => {
    const job = await fakeJob();
    await job.setDynamicContent(true); // the first call asks QueryInterface for IBackgroundCopyJob5
    const atRest = record().refs;
    expect(record().alive).toBe(true);
    await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? job.getDynamicContent() : job.setCostFlags(i))));
    // A failed call too (no ON_DEMAND_MODE was set: BG_E_UNKNOWN_PROPERTY_ID).
    await expect(job.getOnDemandMode()).rejects.toBeInstanceOf(BitsError);
    // Every AddRef a call made was matched by a Release (IUnknown's rule: "each AddRef ... a matching Release").
    expect(record().refs).toBe(atRest);
    job.close();
    // The release runs on the COM threads after close(): wait for it.
    await vi.waitFor(() => expect(record()).toMatchObject({ alive: false, refs: 0 }), { timeout: 10_000, interval: 20 });
  });
});
