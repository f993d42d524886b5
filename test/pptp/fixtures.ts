// Message builders and action filters shared by the PPTP machine tests.
import type { ControlMessage, OutgoingCallRequest } from '../../src/wire/pptp-control.js';
import type { ControlAction } from '../../src/pptp/control-types.js';

export const peer = { address: '127.0.0.2', port: 40000 };
export const local = { address: '127.0.0.1', port: 1723 };

export const sccrq = (protocolVersion = 0x100): ControlMessage => ({
  type: 1,
  protocolVersion,
  framingCapabilities: 1,
  bearerCapabilities: 1,
  maximumChannels: 0,
  firmwareRevision: 0,
  hostName: 'laptop',
  vendorString: 'Microsoft',
});

export const sccrp = (resultCode: 1 | 2 | 3 | 4 | 5 = 1, errorCode: 0 | 1 | 2 | 3 | 4 | 5 | 6 = 0): ControlMessage => ({
  type: 2,
  protocolVersion: 0x100,
  resultCode,
  errorCode,
  framingCapabilities: 3,
  bearerCapabilities: 3,
  maximumChannels: 0,
  firmwareRevision: 1,
  hostName: 'HomeOffice',
  vendorString: 'MikroTik',
});

export const ocrq = (callId: number, window = 64): OutgoingCallRequest => ({
  type: 7,
  callId,
  callSerialNumber: 1,
  minimumBps: 300,
  maximumBps: 100000000,
  bearerType: 3,
  framingType: 3,
  packetReceiveWindowSize: window,
  packetProcessingDelay: 0,
  phoneNumberLength: 0,
  phoneNumber: '',
  subaddress: '',
});

export const ocrp = (callId: number, peerCallId: number, resultCode: 1 | 2 | 3 | 4 | 5 | 6 | 7 = 1, errorCode: 0 | 4 = 0): ControlMessage => ({
  type: 8,
  callId,
  peerCallId,
  resultCode,
  errorCode,
  causeCode: 0,
  connectSpeed: 64000,
  packetReceiveWindowSize: 32,
  packetProcessingDelay: 0,
  physicalChannelId: 0,
});

export const sent = (actions: ControlAction[]): ControlMessage[] =>
  actions.flatMap((a) => (a.kind === 'send' ? [a.message] : []));

export const kinds = (actions: ControlAction[]): string[] => actions.filter((a) => a.kind !== 'log').map((a) => (a.kind === 'send' ? `send ${a.message.type}` : a.kind));

export function only<K extends ControlAction['kind']>(actions: ControlAction[], kind: K): Extract<ControlAction, { kind: K }>[] {
  return actions.filter((a): a is Extract<ControlAction, { kind: K }> => a.kind === kind);
}
