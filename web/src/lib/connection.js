// The connection badge of the live pages: live, connecting, reconnecting or offline.

import { t } from './i18n.js'

const LABELS = {
  live: () => t('Live'),
  connecting: () => t('Connecting…'),
  reconnecting: () => t('Reconnecting…'),
  offline: () => t('Offline')
}

/**
 * @param {HTMLElement} badge
 * @param {'live'|'connecting'|'reconnecting'|'offline'} state
 */
export const showConnection = (badge, state) => {
  badge.dataset.state = state
  badge.textContent = LABELS[state]()
  badge.title = state === 'live'
    ? ''
    : t('Changes made while offline will be sent when the connection is back.')
}
